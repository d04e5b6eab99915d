"""The connection manager's writes: tomlkit edits that keep comments and layout, mode 0600."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dbtui.core.config import ConfigError, SavedConnection, load_config
from dbtui.core.config_write import (
    delete_connection,
    emit_connection,
    save_connection,
    validate_connection,
)

OTHERS = """\
# my settings
[ui]
theme = "nord"   # a comment that must survive

[keys]
"editor.run" = "f5"

[connections.first]
# the first one
url = "sqlite:///first.db"

[connections.second]
url = "redis://localhost/0"
redis_delimiter = ":"

# trailing notes
"""


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_saving_into_a_missing_file_creates_it_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    entry = SavedConnection(name="demo", url="sqlite:///tmp/demo.db", read_only=True)
    config = save_connection(path, entry)
    assert config.connections == (entry,)
    assert mode_of(path) == 0o600
    assert (
        path.read_text() == '[connections.demo]\nurl = "sqlite:///tmp/demo.db"\nread_only = true\n'
    )
    assert load_config(path).warnings == ()


def test_adding_keeps_every_other_byte(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(OTHERS)
    path.chmod(0o644)
    entry = SavedConnection(name="new one", url="mongodb://h/db", color="green")
    save_connection(path, entry)
    text = path.read_text()
    assert text.startswith(OTHERS)
    assert text[len(OTHERS) :] == (
        '\n[connections."new one"]\nurl = "mongodb://h/db"\ncolor = "green"\n'
    )
    assert mode_of(path) == 0o600
    assert load_config(path).connection_names == ["first", "second", "new one"]


def test_replacing_a_connection_edits_it_in_place(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(OTHERS)
    entry = SavedConnection(name="first", url="sqlite:///other.db", default_schema="main")
    config = save_connection(path, entry)
    assert config.connection("first") == entry
    text = path.read_text()
    # Its keys change where they stand; the comment inside its table stays.
    assert text == OTHERS.replace(
        'url = "sqlite:///first.db"\n',
        'url = "sqlite:///other.db"\ndefault_schema = "main"\n',
    )
    assert config.connection_names == ["first", "second"]


def test_renaming_replaces_the_old_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(OTHERS)
    entry = SavedConnection(name="cache", url="redis://localhost/0", redis_delimiter="/")
    config = save_connection(path, entry, old_name="second")
    assert config.connection_names == ["first", "cache"]
    assert config.connection("cache") == entry
    assert "# trailing notes" in path.read_text()
    with pytest.raises(ConfigError, match="already exists"):
        save_connection(path, SavedConnection(name="first", url="redis://x"), old_name="cache")


def test_deleting_removes_only_that_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(OTHERS)
    config = delete_connection(path, "first")
    assert config.connection_names == ["second"]
    text = path.read_text()
    assert "first" not in text
    assert 'theme = "nord"   # a comment that must survive' in text
    assert "\n\n\n" not in text
    config = delete_connection(path, "second")
    assert config.connections == ()
    assert config.ui.theme == "nord"
    text = path.read_text()
    # Comments written inside a table (here below its last key) go with it.
    assert "# trailing notes" not in text
    assert text.startswith('# my settings\n[ui]\ntheme = "nord"   # a comment that must survive\n')
    with pytest.raises(ConfigError, match="no saved connection named 'second'"):
        delete_connection(path, "second")


def test_connections_written_as_dotted_keys_or_inline_tables_are_edited_in_place(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[connections]\n"
        "b = { url = 'sqlite:///b.db' }\n"
        "c.url = 'sqlite:///c.db'\n"
        "d.url = 'sqlite:///d.db'\n"
        "c.read_only = true\n"
    )
    save_connection(path, SavedConnection(name="b", url="sqlite:///b2.db"))
    config = delete_connection(path, "c")
    assert [(c.name, c.url) for c in config.connections] == [
        ("b", "sqlite:///b2.db"),
        ("d", "sqlite:///d.db"),
    ]
    assert path.read_text() == (
        "[connections]\nb = { url = \"sqlite:///b2.db\" }\nd.url = 'sqlite:///d.db'\n"
    )


def test_top_level_dotted_keys_are_edited_too(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("connections.a.url = 'sqlite:///a.db'\nconnections.a.read_only = true\n")
    config = save_connection(path, SavedConnection(name="a", url="sqlite:///z.db"))
    assert config.connections == (SavedConnection(name="a", url="sqlite:///z.db"),)
    assert path.read_text() == 'connections.a.url = "sqlite:///z.db"\n'


def test_a_connection_inside_an_inline_table_is_edited_there(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("connections = { a = { url = 'sqlite:///a.db' } }\n")
    config = save_connection(path, SavedConnection(name="b", url="sqlite:///b.db"))
    assert config.connection_names == ["a", "b"]
    assert path.read_text().startswith("connections = { a = { url = 'sqlite:///a.db' }, b = {")
    config = delete_connection(path, "a")
    assert config.connection_names == ["b"]
    assert path.read_text().startswith("connections = {")


USER_FILE = """\
# dbtui settings, kept by hand
[ui]
page_size = 200        # enough for my screen
theme = "nord"

# production: careful
[connections.prod]
read_only = true       # never write here
url = "postgresql://app@db.example.com/shop"
# the sales schema first
default_schema = "sales"

[connections.cache]    # the local redis
url = "redis://localhost/0"
"""


def test_comments_and_key_order_survive_edits(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    entry = SavedConnection(
        name="prod",
        url="postgresql://app@db2.example.com/shop",
        read_only=True,
        default_schema="sales",
        color="red",
    )
    save_connection(path, entry)
    assert path.read_text() == USER_FILE.replace("@db.example", "@db2.example").replace(
        'default_schema = "sales"\n', 'default_schema = "sales"\ncolor = "red"\n'
    )
    edited = path.read_text()
    save_connection(path, SavedConnection(name="new", url="sqlite:///n.db"))
    delete_connection(path, "cache")
    text = path.read_text()
    assert text.startswith(edited[: edited.index("[connections.cache]")])
    assert text.endswith('\n[connections.new]\nurl = "sqlite:///n.db"\n')
    assert "the local redis" not in text
    config = load_config(path)
    assert config.connection_names == ["prod", "new"]
    assert config.connection("prod") == entry


def test_renaming_keeps_the_comments_inside_the_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    entry = SavedConnection(
        name="production", url="postgresql://app@db.example.com/shop", default_schema="sales"
    )
    config = save_connection(path, entry, old_name="prod")
    assert config.connection_names == ["cache", "production"]  # a renamed table moves to the end
    text = path.read_text()
    assert "[connections.prod]" not in text
    after = text[text.index("[connections.production]") :]
    assert "# the sales schema first\n" in after
    assert "read_only" not in after
    assert "# dbtui settings, kept by hand\n" in text
    assert "page_size = 200        # enough for my screen\n" in text


def test_an_invalid_file_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[ui]\nbogus = 1\n")
    with pytest.raises(ConfigError, match="line 2"):
        save_connection(path, SavedConnection(name="a", url="sqlite:///a.db"))
    assert path.read_text() == "[ui]\nbogus = 1\n"


def test_invalid_entries_are_reported_per_field(tmp_path: Path) -> None:
    entry = SavedConnection(name="a", url="postgresql://u:topsecret@h/db", color="no way")
    problems = validate_connection(entry)
    assert sorted(p.key for p in problems) == ["connections.a.color", "connections.a.url"]
    assert all("topsecret" not in p.message for p in problems)
    with pytest.raises(ConfigError):
        save_connection(tmp_path / "config.toml", entry)
    assert not (tmp_path / "config.toml").exists()


@pytest.mark.parametrize(
    "name",
    ['quo"te', "back\\slash", "ünïcødé 🐘", "dots.in.name", "x"],
)
def test_names_and_values_round_trip(tmp_path: Path, name: str) -> None:
    entry = SavedConnection(
        name=name,
        url="redis://h/0",
        redis_delimiter='\\"\n',
        default_database="db \u05e9\u05dc\u05d5\u05dd",
        password_env="P_1",
        statement_timeout_ms=1234,
        read_only=True,
        color="#abc",
    )
    config = save_connection(tmp_path / "config.toml", entry)
    assert config.connection(name) == entry
    assert load_config(tmp_path / "config.toml").connection(name) == entry


def test_names_with_control_characters_are_refused() -> None:
    (problem,) = validate_connection(SavedConnection(name="tab\there", url="redis://h"))
    assert problem.key == 'connections."tab\\there"'
    assert "printable" in problem.message


def test_emitted_table_omits_defaults() -> None:
    assert emit_connection(SavedConnection(name="a", url="sqlite:///a.db")) == (
        '[connections.a]\nurl = "sqlite:///a.db"\n'
    )


def test_edited_values_are_escaped_whatever_the_old_quoting(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[connections.x]\nurl = 'redis://h/0'\nredis_delimiter = ':'   # c\n")
    entry = SavedConnection(name="x", url="redis://h/0", redis_delimiter="'\n\"\\")
    assert save_connection(path, entry).connection("x") == entry
    assert "   # c\n" in path.read_text()
