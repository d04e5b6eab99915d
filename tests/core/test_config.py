"""Config loading: strict validation with line numbers, secrets refused, saved connections."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from psycopg.conninfo import conninfo_to_dict

from dbtui.core.config import (
    CONFIG_ENV,
    ConfigError,
    SavedConnection,
    config_path,
    line_map,
    line_of,
    load_config,
    saved_spec,
    with_password,
)
from dbtui.core.errors import PasswordRequired
from dbtui.core.registry import open_driver

GOOD = """\
# dbtui config
[ui]
theme = "textual-light"
statement_timeout_ms = 30000
page_size = 250

[keys]
"editor.run" = "f5, ctrl+enter"
results.export = "ctrl+e"

[connections.prod]
url = "postgresql://app@db.example.com/shop"
password_env = "PROD_PG_PASSWORD"
color = "#d04040"
read_only = true
default_schema = "sales"

[connections."local cache"]
url = "redis://localhost:6379/0"
redis_delimiter = "/"
statement_timeout_ms = 0
"""


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def problem_of(tmp_path: Path, text: str, **kwargs: object) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), **kwargs)  # type: ignore[arg-type]
    return caught.value


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope.toml")
    assert not config.exists
    assert config.ui.theme is None
    assert config.ui.page_size is None
    assert config.connections == ()
    assert dict(config.keys) == {}
    assert config.warnings == ()


def test_path_comes_from_dbtui_config_or_the_user_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert config_path() == Path(os.environ["XDG_CONFIG_HOME"]) / "dbtui" / "config.toml"
    monkeypatch.setenv(CONFIG_ENV, "~/elsewhere.toml")
    assert config_path() == Path(os.environ["HOME"]) / "elsewhere.toml"
    path = write(tmp_path, GOOD)
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert load_config().connection_names == ["prod", "local cache"]


def test_a_full_config_is_read(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.exists
    assert (config.ui.theme, config.ui.statement_timeout_ms, config.ui.page_size) == (
        "textual-light",
        30000,
        250,
    )
    # Quoted dotted ids and unquoted ones (nested tables) both become dotted binding ids.
    assert dict(config.keys) == {"editor.run": "f5,ctrl+enter", "results.export": "ctrl+e"}
    prod = config.connection("prod")
    assert prod == SavedConnection(
        name="prod",
        url="postgresql://app@db.example.com/shop",
        color="#d04040",
        read_only=True,
        default_schema="sales",
        password_env="PROD_PG_PASSWORD",
    )
    assert prod.line == 11
    cache = config.connection("local cache")
    assert cache is not None
    assert (cache.redis_delimiter, cache.statement_timeout_ms, cache.read_only) == ("/", 0, False)
    assert config.warnings == ()


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("[ui]\ntheme = 'x'\n\n[extra]\na = 1\n", 4, "extra"),
        ("[ui]\ntheme = 'x'\ntheme_name = 'y'\n", 3, "ui.theme_name"),
        (
            "[connections.prod]\nurl = 'sqlite:///a.db'\ncolour = 'red'\n",
            3,
            "connections.prod.colour",
        ),
        # dotted keys at the top level
        ("connections.prod.url = 'sqlite:///a.db'\n\nconnections.prod.colour = 'red'\n", 3, ""),
        # an inline table inside [connections]
        ("[connections]\n\nprod = { url = 'sqlite:///a.db', colour = 'red' }\n", 3, ""),
        # a [ui] that is really a dotted key below other lines
        ("# c\n\n\nui.pagesize = 3\n", 4, "ui.pagesize"),
    ],
)
def test_unknown_keys_are_errors_with_their_line(
    tmp_path: Path, text: str, line: int, key: str
) -> None:
    error = problem_of(tmp_path, text)
    assert len(error.problems) == 1
    assert error.problems[0].line == line
    assert "unknown key" in error.problems[0].message
    assert f"line {line}:" in error.message
    assert str(tmp_path / "config.toml") in error.message
    if key:
        assert error.problems[0].key == key


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    error = problem_of(tmp_path, "[connections.a]\nurl = 'sqlite:///a.db'\ncolour = 'red'\n")
    assert "did you mean 'color'?" in error.message


def test_line_numbers_survive_multiline_strings_that_look_like_toml(tmp_path: Path) -> None:
    text = (
        '[ui]\ntheme = """\n[connections.fake]\nbogus = 1\n"""\n'  # lines 1-5
        "statement_timeout_ms = 5\n"  # 6
        "'quoted key' = '''\nbogus = 2\n'''\n"  # 7-9
    )
    error = problem_of(tmp_path, text)
    assert [(p.line, p.key) for p in error.problems] == [(7, 'ui."quoted key"')]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[ui]\npage_size = '50'\n", 2, "ui.page_size: must be an integer, not a string"),
        ("[ui]\n\npage_size = true\n", 3, "must be an integer, not a boolean"),
        ("[ui]\npage_size = 0\n", 2, "must be between 1 and 1000000, not 0"),
        ("[ui]\ntheme = 3.5\n", 2, "must be a string, not a float"),
        ("ui = 3\n", 1, "ui: must be a table, not an integer"),
        ("[connections.a]\nurl = 'sqlite:///a.db'\nread_only = 'yes'\n", 3, "true or false"),
        ("[connections]\na = 'sqlite:///a.db'\n", 2, "connections.a: must be a table"),
        ("[connections.a]\nread_only = true\n", 1, "needs a url"),
        ("[connections.a]\nurl = 'ftp://x'\n", 2, "unknown URL scheme"),
        ("[connections.a]\nurl = 'redis://h'\ncolor = 'not a colour'\n", 3, "is not a colour"),
        ("[connections.a]\nurl = 'redis://h'\npassword_env = 'hunter 2'\n", 3, "NAME of an"),
        ("[connections.a]\nurl = 'sqlite:///a.db'\npassword_env = 'X'\n", 3, "no password"),
        ("[connections.a]\nurl = 'redis://h'\nname = 'a'\n", 3, "the name is the table key"),
        ("[[connections]]\nurl = 'redis://h'\n", 1, "[connections.NAME]"),
        ("[keys]\n'editor.run' = 5\n", 2, "must be a string of keys"),
        ("[keys]\n'editor.run' = 'ctrl + r'\n", 2, "not a comma-separated list"),
    ],
)
def test_wrong_types_and_values_name_the_key_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    error = problem_of(tmp_path, text)
    assert f"line {line}: " in error.message
    assert message in error.message


def test_every_problem_is_reported_and_the_first_line_summarises(tmp_path: Path) -> None:
    error = problem_of(tmp_path, "[ui]\npage_size = 'x'\ntheme = 1\nzoom = 2\n")
    assert [p.line for p in error.problems] == [2, 3, 4]  # in line order
    assert error.one_line().startswith("Invalid config: ")
    assert "line 2" in error.one_line()
    assert len(error.message.splitlines()) == 3


def test_plain_passwords_are_refused_without_being_repeated(tmp_path: Path) -> None:
    text = "[connections.prod]\nurl = 'postgresql://app@h/db'\n\npassword = 'hunter2-secret'\n"
    error = problem_of(tmp_path, text)
    assert "line 4: connections.prod.password" in error.message
    assert "password_env" in error.message
    assert "hunter2-secret" not in error.message


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:hunter2-secret@h/db",
        "redis://:hunter2-secret@h:6379/0",
        "mongodb://u:hunter2-secret@a:1,b:2/db",
        "postgresql://app@h/db?password=hunter2-secret",
    ],
)
def test_urls_holding_a_password_are_refused_masked(tmp_path: Path, url: str) -> None:
    error = problem_of(tmp_path, f"[connections.prod]\nread_only = true\nurl = '{url}'\n")
    assert "line 3: connections.prod.url: the URL holds a password" in error.message
    assert "***" in error.message
    assert "hunter2-secret" not in error.message


def test_binding_ids_are_checked_when_the_caller_gives_them(tmp_path: Path) -> None:
    path = write(tmp_path, "[keys]\n'editor.run' = 'f5'\n'editor.rnu' = 'f6'\n")
    assert dict(load_config(path).keys) == {"editor.run": "f5", "editor.rnu": "f6"}
    with pytest.raises(ConfigError) as caught:
        load_config(path, binding_ids={"editor.run", "editor.format"})
    assert "line 3: keys.\"editor.rnu\": no binding has the id 'editor.rnu'" in str(caught.value)
    assert "did you mean 'editor.run'?" in str(caught.value)


def test_invalid_toml_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    error = problem_of(tmp_path, "[ui]\ntheme = \n")
    assert "not valid TOML" in error.message
    assert "line 2" in error.message


def test_a_file_readable_by_others_gives_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, mode=0o644)
    config = load_config(path)
    assert len(config.warnings) == 1
    assert "0644" in config.warnings[0]
    assert f"chmod 600 {path}" in config.warnings[0]
    path.chmod(0o600)
    assert load_config(path).warnings == ()


def test_saved_spec_injects_the_password_from_the_environment_in_memory(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    secret = "p@ss:w/rd%?#"
    spec = saved_spec(config, "prod", environ={"PROD_PG_PASSWORD": secret})
    assert unquote(urlsplit(spec.url).password or "") == secret
    assert spec.display_url == "postgresql://app:***@db.example.com/shop"
    assert secret not in repr(spec)
    assert (spec.engine, spec.name, spec.read_only) == ("postgresql", "prod", True)
    assert spec.option("statement_timeout") == "30000"
    assert spec.option("default_schema") == "sales"
    assert spec.option("color") == "#d04040"
    # The config itself never held it.
    assert secret not in repr(config)


def test_saved_spec_without_the_variable_leaves_the_url_alone(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    spec = saved_spec(config, "prod", environ={})
    assert spec.url == "postgresql://app@db.example.com/shop"
    cache = saved_spec(config, "local cache", environ={})
    assert cache.option("delimiter") == "/"
    assert cache.option("statement_timeout") == "0"  # the connection's own value wins


def test_saved_spec_of_an_unknown_name_suggests_one(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match=r"no saved connection named 'prd' \(did you mean 'prod'"):
        saved_spec(config, "prd")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://app@h/db", "postgresql://app:pw%2F1@h/db"),
        ("postgresql://app:old@h/db", "postgresql://app:pw%2F1@h/db"),
        ("redis://h:6379/0", "redis://:pw%2F1@h:6379/0"),
        ("mongodb://u@a:1,b:2/db?replicaSet=rs", "mongodb://u:pw%2F1@a:1,b:2/db?replicaSet=rs"),
        ("unix:///tmp/r.sock?db=1", "unix:///tmp/r.sock?db=1&password=pw%2F1"),
    ],
)
def test_with_password(url: str, expected: str) -> None:
    assert with_password(url, "pw/1") == expected


def test_with_password_on_a_libpq_keyword_string() -> None:
    secret = "it's a \\ secret"
    conninfo = with_password("service=prod dbname=shop", secret)
    assert conninfo_to_dict(conninfo) == {"service": "prod", "dbname": "shop", "password": secret}


def test_saved_keyword_string_connection_masks_an_escaped_password(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, "[connections.svc]\nurl = 'service=prod'\npassword_env = 'PW'\n")
    )
    spec = saved_spec(config, "svc", environ={"PW": "a'b c\\d"})
    assert spec.engine == "postgresql"
    assert conninfo_to_dict(spec.url)["password"] == "a'b c\\d"
    assert spec.display_url == "service=prod password=***"


@pytest.mark.postgres
def test_a_saved_connection_opens_by_name_with_its_password_from_the_environment(
    tmp_path: Path, postgres_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_server.url_for("dbtui_pw")  # type: ignore[attr-defined]
    text = f"[connections.pw]\nurl = '{url}'\npassword_env = 'DBTUI_TEST_PW'\n"
    config = load_config(write(tmp_path, text))
    with pytest.raises(PasswordRequired):
        open_driver(saved_spec(config, "pw", environ={})).close()
    monkeypatch.setenv("DBTUI_TEST_PW", "s3cret-pw")
    driver = open_driver(saved_spec(config, "pw"))
    try:
        assert driver.spec.name == "pw"
        assert "s3cret-pw" not in driver.spec.display_url
    finally:
        driver.close()


def test_line_map_knows_dotted_quoted_inline_and_array_paths() -> None:
    text = (
        "a.b = 1\n"  # 1
        '"x.y".z = 2\n'  # 2
        "t = { u = 1, v = { w = 2 } }\n"  # 3
        "arr = [\n  1,\n  { k = 'v' },\n]\n"  # 4-7
        "[[tab]]\nn = 1\n[[tab]]\nn = 2\n"  # 8-11
        "[tab.sub]\nm = 3\n"  # 12-13
        "s = '''\nmulti\n'''''\n"  # 14-16: two extra quotes belong to the string
        "e = 1\r\n"  # 17
    )
    lines = line_map(text)
    assert line_of(lines, ("a", "b")) == 1
    assert line_of(lines, ("a",)) == 1
    assert line_of(lines, ("x.y", "z")) == 2
    assert line_of(lines, ("t", "v", "w")) == 3
    assert line_of(lines, ("arr", 1, "k")) == 4  # plain arrays are not entered: the array's line
    assert line_of(lines, ("tab", 1, "n")) == 11
    assert line_of(lines, ("tab", 1, "sub", "m")) == 13
    assert line_of(lines, ("tab", 1, "sub", "s")) == 14
    assert line_of(lines, ("tab", 1, "sub", "e")) == 17
    assert line_of(lines, ("nowhere",)) is None


def test_line_map_of_invalid_text_is_empty() -> None:
    for text in ("[a", "x = ", "x = {", "x = [1,", 'x = "\\', "= = =", "[[", "\x00", "'''"):
        assert line_map(text) == {}
    assert line_of(line_map("[a]\nb = 1\n"), ("a", "b")) == 2


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("'x` - at `$.ui' = 1\n[ui]\ntheme = 'a'\n", 1, '"x` - at `$.ui"'),
        ("[ui]\n'a`b - at `$.x`' = 1\n", 2, 'ui."a`b - at `$.x`"'),
        (
            "[connections.a]\nurl = 'redis://h'\n'p` - at `$.url' = 1\n",
            3,
            'connections.a."p` - at `$.url"',
        ),
    ],
)
def test_unknown_keys_that_look_like_error_paths_are_named_right(
    tmp_path: Path, text: str, line: int, key: str
) -> None:
    error = problem_of(tmp_path, text)
    assert [(p.line, p.key) for p in error.problems] == [(line, key)]
    assert "unknown key" in error.problems[0].message
