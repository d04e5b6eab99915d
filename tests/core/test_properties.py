"""Property-based tests (hypothesis) over every parser: a result or a clean DbtuiError, never another
exception (issue #13). Each runs about 200 examples without a deadline, so the file stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbtui.core.config import parse_config
from dbtui.core.errors import DbtuiError
from dbtui.core.plans.text import to_json
from dbtui.core.spec import ConnectionSpec, mask_password, spec_from_url, url_facts
from dbtui.core.statements import split_sql, statement_at
from dbtui.drivers.mongo.commands import parse_command
from dbtui.drivers.mongo.plans.parse import parse_mongo_explain
from dbtui.drivers.mongo.splitting import split_commands
from dbtui.drivers.mongo.syntax import parse_document, parse_value
from dbtui.drivers.postgres.plans.parse import parse_postgres_plan, parse_postgres_text_plan
from dbtui.drivers.postgres.splitting import split_script
from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.redis.commands import split_command_line
from dbtui.drivers.redis.urls import require_numeric_database
from dbtui.drivers.sqlite.plans import parse_sqlite_plan
from dbtui.drivers.sqlite.url import parse_sqlite_url
from dbtui.render.plan import render_text

FAST = settings(max_examples=200, deadline=None)

SCHEMES = ["postgresql", "postgres", "mongodb", "mongodb+srv", "redis", "rediss", "sqlite", "unix"]
URL_CHARS = st.characters(codec="utf-8")
#: Text with the characters URLs and scripts are made of, plus anything else now and then.
TEXTY = st.one_of(
    st.text(alphabet="abc:/@?&=%#[]+;.,'\"`$\\ \n\t-_*(){}0123456789", max_size=80),
    st.text(alphabet=URL_CHARS, max_size=80),
)

PLAN_KEYS = [
    "Plan",
    "Plans",
    "Node Type",
    "Actual Total Time",
    "Actual Rows",
    "Actual Loops",
    "Plan Rows",
    "Total Cost",
    "Startup Cost",
    "Relation Name",
    "Index Name",
    "Execution Time",
    "Planning Time",
    "Triggers",
    "Workers",
    "Shared Hit Blocks",
    "Filter",
    "Rows Removed by Filter",
    "Parent Relationship",
    "queryPlanner",
    "winningPlan",
    "executionStats",
    "executionStages",
    "inputStage",
    "inputStages",
    "stage",
    "stages",
    "shards",
    "nReturned",
    "executionTimeMillis",
    "totalDocsExamined",
    "totalKeysExamined",
    "indexName",
    "keyPattern",
    "namespace",
    "$cursor",
    "queryPlan",
    "slotBasedPlan",
    "command",
]

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["Seq Scan", "Index Scan", "COLLSCAN", "IXSCAN", "FETCH", "Hash Join"]),
)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(PLAN_KEYS), st.text(max_size=8)), inner, max_size=6
        ),
    ),
    max_leaves=30,
)


def result_or_clean_error(call: Callable[[], object]) -> object:
    """Call; a DbtuiError is a clean outcome (with a one-line form), anything else fails."""
    try:
        return call()
    except DbtuiError as error:
        clean = error
    assert clean.one_line()
    return None


# -- URLs and connection specs -------------------------------------------------------------------


@FAST
@given(TEXTY)
def test_spec_from_arbitrary_text(text: str) -> None:
    result_or_clean_error(lambda: spec_from_url(text))


@FAST
@given(st.sampled_from(SCHEMES), TEXTY)
def test_spec_from_urls_of_every_scheme(scheme: str, rest: str) -> None:
    url = f"{scheme}://{rest}"
    spec = result_or_clean_error(lambda: spec_from_url(url))
    assert isinstance(url_facts(url).masked, str)
    assert isinstance(mask_password(url), str)
    if isinstance(spec, ConnectionSpec):
        assert "\n" not in spec.name or "\n" in rest


@FAST
@given(TEXTY)
def test_sqlite_url_parser(rest: str) -> None:
    result_or_clean_error(lambda: parse_sqlite_url(f"sqlite://{rest}"))


@FAST
@given(st.sampled_from(["redis", "rediss"]), TEXTY)
def test_redis_database_check(scheme: str, rest: str) -> None:
    result_or_clean_error(lambda: require_numeric_database(f"{scheme}://{rest}"))


def test_redis_database_must_be_a_number() -> None:
    for good in ("redis://h:6379", "redis://h:6379/", "redis://h/0", "rediss://u:p@h:1/15"):
        require_numeric_database(good)
    for bad in ("redis://h:6379/abc", "redis://h/1x", "redis://h/%31a", "redis://h/\u0663"):
        with pytest.raises(DbtuiError, match="must be a number"):
            require_numeric_database(bad)


# -- plans ------------------------------------------------------------------------------------------


def _render(plan: object) -> None:
    """A parsed plan must also render (text and JSON) without raising."""
    if plan is None:
        return
    from dbtui.core.plan import Plan

    assert isinstance(plan, Plan)
    render_text(plan)
    json.dumps(to_json(plan), default=str)


@FAST
@given(JSON)
def test_postgres_json_plan(data: Any) -> None:
    _render(result_or_clean_error(lambda: parse_postgres_plan(data)))
    _render(result_or_clean_error(lambda: parse_postgres_plan([{"Plan": data}])))


@FAST
@given(JSON)
def test_postgres_plan_given_as_json_text(data: Any) -> None:
    _render(result_or_clean_error(lambda: parse_postgres_plan(json.dumps(data))))


@FAST
@given(
    st.lists(
        st.tuples(
            st.integers(0, 8),
            st.sampled_from(
                [
                    "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)",
                    "Index Scan using i on t  (cost=0.1..8.2 rows=3 width=4) "
                    "(actual time=0.01..0.02 rows=1 loops=1)",
                    "->  Hash Join  (cost=1.00..2.00 rows=10 width=8)",
                    "Filter: (a = 1)",
                    "Rows Removed by Filter: 5",
                    "Buffers: shared hit=3",
                    "Planning Time: 0.1 ms",
                    "Execution Time: 0.2 ms",
                    "Workers Planned: 2",
                    "Sort Method: quicksort  Memory: 25kB",
                    "QUERY PLAN",
                    "----------",
                    "(3 rows)",
                ]
            )
            | st.text(max_size=40),
        ),
        max_size=10,
    )
)
def test_postgres_text_plan(lines: list[tuple[int, str]]) -> None:
    text = "\n".join(" " * indent + line for indent, line in lines)
    _render(result_or_clean_error(lambda: parse_postgres_text_plan(text)))


@FAST
@given(JSON)
def test_mongo_explain(data: Any) -> None:
    _render(result_or_clean_error(lambda: parse_mongo_explain(data)))
    wrapped = {"queryPlanner": {"winningPlan": data}, "executionStats": {"executionStages": data}}
    _render(result_or_clean_error(lambda: parse_mongo_explain(wrapped)))


SQLITE_DETAIL = st.one_of(
    st.sampled_from(
        [
            "SCAN t",
            "SEARCH t USING INDEX i (a=?)",
            "SEARCH t USING COVERING INDEX i (a>? AND a<?)",
            "SCAN t USING INTEGER PRIMARY KEY",
            "USE TEMP B-TREE FOR ORDER BY",
            "CORRELATED SCALAR SUBQUERY 1",
            "COMPOUND QUERY",
            "MATERIALIZE v",
            "CO-ROUTINE x",
            "SCAN t VIRTUAL TABLE INDEX 0:",
        ]
    ),
    st.text(max_size=30),
)


@FAST
@given(
    st.lists(
        st.tuples(st.integers(-2, 12), st.integers(-2, 12), st.integers(0, 3), SQLITE_DETAIL),
        max_size=10,
    ),
    st.text(max_size=40),
)
def test_sqlite_plan(rows: list[tuple[int, int, int, str]], statement: str) -> None:
    _render(result_or_clean_error(lambda: parse_sqlite_plan(rows, statement)))


# -- config -----------------------------------------------------------------------------------------

TOML_PIECES = st.sampled_from(
    [
        "[ui]\n",
        "[keys]\n",
        "[connections.prod]\n",
        "[[connections]]\n",
        'theme = "nord"\n',
        "connect_timeout = 5\n",
        "connect_timeout = -1\n",
        'connect_timeout = "x"\n',
        'url = "postgresql://u@h/db"\n',
        'url = "nosuch://x"\n',
        "url = 5\n",
        'password_env = "PW"\n',
        "read_only = true\n",
        'main.run = "f5"\n',
        'main.run = ["f5"]\n',
        "x = [1, 2]\n",
        "y = { a = 1 }\n",
        "z = 1979-05-27T07:32:00Z\n",
        '"weird key" = "\\u0000"\n',
    ]
)


@FAST
@given(st.lists(st.one_of(TOML_PIECES, st.text(max_size=30)), max_size=8))
def test_config_from_arbitrary_toml(pieces: list[str]) -> None:
    result_or_clean_error(lambda: parse_config("".join(pieces), Path("/nowhere/config.toml")))


# -- mongosh syntax ---------------------------------------------------------------------------------

MONGO_PIECES = st.sampled_from(
    [
        "db.",
        "users",
        ".find(",
        ".aggregate(",
        ".updateOne(",
        ".sort(",
        ".limit(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "a",
        "$gt",
        "1",
        "-1.5e3",
        '"x"',
        "'y'",
        "ObjectId(",
        "ISODate(",
        "NumberLong(",
        "/re/i",
        "new Date(",
        "true",
        "null",
        "show dbs",
        "use x",
        ";",
        "\n",
        "// c\n",
        "/* c */",
    ]
)


@FAST
@given(st.lists(st.one_of(MONGO_PIECES, st.text(max_size=5)), max_size=20))
def test_mongosh_syntax(pieces: list[str]) -> None:
    text = "".join(pieces)
    result_or_clean_error(lambda: parse_command(text))
    result_or_clean_error(lambda: parse_value(text))
    result_or_clean_error(lambda: parse_document(text))
    for statement in split_commands(text):
        assert text[statement.start : statement.end] == statement.text
        result_or_clean_error(lambda s=statement.text: parse_command(s))  # type: ignore[misc]


# -- Redis command lines ----------------------------------------------------------------------------

REDIS_PIECES = st.sampled_from(
    ["SET", "GET", " ", "k", '"', "'", "\\", "\\x4", "\\x41", "\\n", '"a b"', "'c'", "\n", "#"]
)


@FAST
@given(st.lists(st.one_of(REDIS_PIECES, st.text(max_size=4)), max_size=16))
def test_redis_command_lines(pieces: list[str]) -> None:
    line = "".join(pieces)
    args = result_or_clean_error(lambda: split_command_line(line))
    assert args is None or all(isinstance(arg, bytes) for arg in args)  # type: ignore[attr-defined]
    driver = RedisDriver(spec_from_url("redis://127.0.0.1:1/0"))
    for statement in driver.split(line):
        assert line[statement.start : statement.end] == statement.text


# -- SQL splitting ----------------------------------------------------------------------------------

SQL_PIECES = st.sampled_from(
    [
        "SELECT 1",
        ";",
        " ",
        "\n",
        "'",
        '"',
        "--",
        "/*",
        "*/",
        "$$",
        "$tag$",
        "E'\\''",
        "BEGIN",
        "END",
        "CREATE FUNCTION f() AS ",
        "(",
        ")",
        "CASE",
        "WITH x AS (",
        "\\",
    ]
)


@FAST
@given(st.lists(st.one_of(SQL_PIECES, st.text(max_size=5)), max_size=25), st.integers(0, 200))
def test_sql_splitting(pieces: list[str], cursor: int) -> None:
    script = "".join(pieces)
    for split in (split_sql, split_script):
        statements = result_or_clean_error(lambda f=split: f(script))  # type: ignore[misc]
        if statements is None:
            continue
        assert isinstance(statements, list)
        for statement in statements:
            assert 0 <= statement.start <= statement.end <= len(script)
        statement_at(statements, cursor)


def test_sql_splitting_of_a_statement_beyond_sqlparse_token_limit() -> None:
    script = "INSERT INTO t VALUES " + ",".join(f"({n})" for n in range(3000)) + ";\nSELECT 2;"
    statements = split_sql(script)
    assert [s.text[:20] for s in statements] == ["INSERT INTO t VALUES", "SELECT 2"]
    assert split_script(script)[1].text == "SELECT 2"
