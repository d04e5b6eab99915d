"""The connection manager's writes: surgical edits that keep the rest of the file, mode 0600."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from dbtui.core.config import ConfigError, SavedConnection, load_config
from dbtui.core.config_schema import toml_string
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
    assert text == OTHERS.replace(
        '[connections.first]\n# the first one\nurl = "sqlite:///first.db"\n',
        '[connections.first]\nurl = "sqlite:///other.db"\ndefault_schema = "main"\n',
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
    assert "# trailing notes" in path.read_text()
    with pytest.raises(ConfigError, match="no saved connection named 'second'"):
        delete_connection(path, "second")


def test_connections_written_as_dotted_keys_are_moved_to_a_table(tmp_path: Path) -> None:
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
        ("d", "sqlite:///d.db"),
        ("b", "sqlite:///b2.db"),
    ]
    assert "c.read_only" not in path.read_text()


def test_top_level_dotted_keys_are_edited_too(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("connections.a.url = 'sqlite:///a.db'\nconnections.a.read_only = true\n")
    config = save_connection(path, SavedConnection(name="a", url="sqlite:///z.db"))
    assert config.connections == (SavedConnection(name="a", url="sqlite:///z.db"),)
    assert path.read_text() == '[connections.a]\nurl = "sqlite:///z.db"\n'


def test_a_connection_inside_an_inline_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    original = "connections = { a = { url = 'sqlite:///a.db' } }\n"
    path.write_text(original)
    with pytest.raises(ConfigError, match=r"line 1: connections\.a is written inside an inline"):
        delete_connection(path, "a")
    assert path.read_text() == original


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


def test_toml_string_escapes_what_toml_needs() -> None:
    for text in ['a"b', "a\\b", "\x00\x1f\x7f", "line\r\nnext", "emoji 🎉", ""]:
        assert tomllib.loads(f"k = {toml_string(text)}")["k"] == text


def test_emitted_table_omits_defaults() -> None:
    assert emit_connection(SavedConnection(name="a", url="sqlite:///a.db")) == (
        '[connections.a]\nurl = "sqlite:///a.db"\n'
    )
