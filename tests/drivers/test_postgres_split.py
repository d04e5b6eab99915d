"""The PostgreSQL script splitter (pglast's scanner) and error-position arithmetic: no server."""

from __future__ import annotations

import pytest

from dbtui.drivers.postgres.errors import one_line, server_position
from dbtui.drivers.postgres.splitting import split_script


def texts(script: str) -> list[str]:
    statements = split_script(script)
    for statement in statements:
        assert script[statement.start : statement.end] == statement.text
    return [s.text for s in statements]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("select 1", ["select 1"]),
        ("select 1;", ["select 1"]),
        ("select 1; select 2;", ["select 1", "select 2"]),
        ("  select 1  ;\n\n  select 2  ", ["select 1", "select 2"]),
        ("select ';' as semi; select 2", ["select ';' as semi", "select 2"]),
        ("select E'\\';' ; select 2", ["select E'\\';'", "select 2"]),
        ('select 1 as ";"; select 2', ['select 1 as ";"', "select 2"]),
        ("select $$a;b$$; select 2", ["select $$a;b$$", "select 2"]),
        ("select $tag$ $$ ; $$ $tag$; select 2", ["select $tag$ $$ ; $$ $tag$", "select 2"]),
        ("select 1 -- c; d\n; select 2", ["select 1", "select 2"]),
        (
            "select /* a; /* nested; */ b; */ 1; select 2",
            ["select /* a; /* nested; */ b; */ 1", "select 2"],
        ),
        ("-- lead\nselect 1", ["select 1"]),
        ("select 1;;;", ["select 1"]),
        ("", []),
        ("   \n ", []),
        ("-- only a comment", []),
        ("/* only */ ; -- comments ;", []),
        ("selec broken; select 2", ["selec broken", "select 2"]),
        ("select 'é€'; select \"ü\"", ["select 'é€'", 'select "ü"']),
    ],
)
def test_split(script: str, expected: list[str]) -> None:
    assert texts(script) == expected


def test_dollar_quoted_function_body() -> None:
    script = (
        "create function f() returns int language plpgsql as $body$\n"
        "declare x int; begin x := 1; return x; end;\n"
        "$body$;\nselect f();"
    )
    statements = texts(script)
    assert len(statements) == 2
    assert statements[0].endswith("$body$")
    assert statements[1] == "select f()"


def test_begin_atomic_body_with_case() -> None:
    script = (
        "create function g(a int) returns int language sql begin atomic "
        "select case when a > 0 then 1 else 0 end; select 2; end; select 3"
    )
    assert texts(script) == [script[: script.index("; select 3")], "select 3"]


def test_plain_begin_is_a_statement() -> None:
    assert texts("begin; select 1; commit") == ["begin", "select 1", "commit"]


def test_rule_actions_in_parentheses_stay_together() -> None:
    script = "create rule r as on insert to t do also (delete from u; delete from v); select 1"
    assert texts(script)[0].endswith("delete from v)")


@pytest.mark.parametrize(
    ("script", "last"),
    [
        ("select 1; select 'open; select 2", "select 'open; select 2"),
        ("select 1; select $$ open", "select $$ open"),
        ("select 1; select /* open", "select /* open"),
        ('select 1; select "open', 'select "open'),
    ],
)
def test_unterminated_text_becomes_the_last_statement(script: str, last: str) -> None:
    assert texts(script) == ["select 1", last]


@pytest.mark.parametrize(
    ("raw", "prefix", "length", "expected"),
    [
        ("1", 0, 10, 0),
        ("8", 0, 10, 7),
        ("30", 25, 10, 4),
        ("5", 25, 10, None),  # inside the driver's DECLARE prefix
        ("99", 0, 10, None),  # past the end
        (None, 0, 10, None),
        ("", 0, 10, None),
        ("x", 0, 10, None),
    ],
)
def test_server_position(raw: str | None, prefix: int, length: int, expected: int | None) -> None:
    assert server_position(raw, prefix, length) == expected


def test_one_line() -> None:
    assert one_line("\n  first   line \n\tsecond") == "first line"
    assert one_line("") == ""
