"""Completion: the pure suggest_type analysis on plain strings, then candidates from a snapshot."""

from __future__ import annotations

import psycopg
import pytest

from dbtui.core.completion import (
    CatalogSnapshot,
    Completions,
    complete_mongo,
    complete_redis,
    complete_sql,
    quote_sql_name,
    rank,
)
from dbtui.core.completion_words import MONGO_OPERATORS, SQL_KEYWORDS
from dbtui.core.sql_context import Suggestion, statement_bounds, suggest_type
from dbtui.core.sql_tokens import TableRef

USERS = TableRef(None, "users")
ORDERS = TableRef(None, "orders")


def at_bar(text: str) -> tuple[str, int]:
    """Split ``text`` at its ``|`` marker: (text without it, cursor offset)."""
    cursor = text.index("|")
    return text[:cursor] + text[cursor + 1 :], cursor


def kinds(marked: str) -> list[str]:
    return [s.kind for s in suggest_type(*at_bar(marked)).suggestions]


def first(marked: str) -> Suggestion:
    return suggest_type(*at_bar(marked)).suggestions[0]


# -- suggest_type: plain strings ------------------------------------------------------------


def test_alias_qualified_column() -> None:
    assert suggest_type(*at_bar("SELECT u.| FROM users u")).suggestions == (
        Suggestion("column", tables=(TableRef(None, "users", "u"),)),
    )
    context = suggest_type(*at_bar("SELECT u.na| FROM users u"))
    assert (context.prefix, context.qualifier, context.prefix_start, context.word_start) == (
        "na",
        ("u",),
        9,
        7,
    )


def test_columns_of_the_from_clause_come_first() -> None:
    assert kinds("SELECT | FROM orders") == ["column", "function", "keyword"]
    assert first("SELECT | FROM orders").tables == (ORDERS,)
    assert first("SELECT a, | FROM orders o").tables == (TableRef(None, "orders", "o"),)
    assert first("SELECT * FROM users WHERE |").tables == (USERS,)
    assert first("SELECT * FROM users WHERE a = 1 AND |").kind == "column"
    assert first("SELECT * FROM users ORDER BY a DESC, |").tables == (USERS,)
    assert first("SELECT * FROM users GROUP BY |").tables == (USERS,)
    assert kinds("SELECT * FROM users WHERE a = |") == ["column", "function"]
    assert first("SELECT count(|) FROM users").tables == (USERS,)


def test_tables_after_from_join_into_update() -> None:
    for marked in (
        "SELECT * FROM |",
        "SELECT * FROM users, |",
        "SELECT * FROM users u LEFT OUTER JOIN |",
        "INSERT INTO |",
        "UPDATE |",
        "DELETE FROM |",
        "TRUNCATE |",
    ):
        assert kinds(marked)[0] == "table", marked
    assert suggest_type(*at_bar("SELECT * FROM public.|")).suggestions[0] == Suggestion(
        "table", schema="public"
    )


def test_join_condition_offers_columns_of_every_table_and_aliases() -> None:
    suggestions = suggest_type(*at_bar("SELECT * FROM users u JOIN orders AS o ON |")).suggestions
    both = (TableRef(None, "users", "u"), TableRef(None, "orders", "o"))
    assert suggestions == (
        Suggestion("join", tables=(both[1], both[0])),
        Suggestion("column", tables=both),
        Suggestion("function"),
        Suggestion("alias", tables=both),
        Suggestion("keyword"),
    )
    assert first("SELECT * FROM users u JOIN orders AS o ON o.|").tables == (both[1],)


def test_table_references_with_schemas_aliases_and_keyword_names() -> None:
    context = suggest_type(
        *at_bar('SELECT | FROM a, b AS bb, public.c cc JOIN "My T" m USING (x), user, data d')
    )
    assert context.tables == (
        TableRef(None, "a"),
        TableRef(None, "b", "bb"),
        TableRef("public", "c", "cc"),
        TableRef(None, "My T", "m"),
        TableRef(None, "user"),
        TableRef(None, "data", "d"),
    )
    context = suggest_type(*at_bar("SELECT g.| FROM generate_series(1, 3) AS g, ONLY t"))
    assert context.tables == (TableRef(None, "generate_series", "g"), TableRef(None, "t"))


def test_insert_column_lists() -> None:
    assert suggest_type(*at_bar("INSERT INTO users (|")).suggestions == (
        Suggestion("column", tables=(USERS,)),
    )
    assert first("INSERT INTO public.users (id, |) VALUES (1, 2)").tables == (
        TableRef("public", "users"),
    )


def test_update_set_offers_the_updated_table() -> None:
    assert first("UPDATE users SET |").tables == (USERS,)
    assert first("UPDATE users SET a = 1, |").tables == (USERS,)


def test_subqueries_see_their_own_from_clause() -> None:
    assert first("SELECT * FROM users WHERE id IN (SELECT | FROM orders)").tables == (ORDERS,)
    assert first("SELECT | FROM users WHERE id IN (SELECT user_id FROM orders)").tables == (USERS,)
    outer = suggest_type(*at_bar("SELECT s.| FROM (SELECT 1 AS x) s"))
    assert outer.tables == (TableRef(None, "s", "s"),)


def test_statements_are_separated_by_semicolons_outside_literals() -> None:
    assert first("SELECT * FROM a; SELECT | FROM b").tables == (TableRef(None, "b"),)
    assert first("SELECT ';', | FROM b; SELECT 1 FROM c").tables == (TableRef(None, "b"),)
    text = "SELECT $x$ ; $x$, | FROM b"
    assert first(text).tables == (TableRef(None, "b"),)
    assert statement_bounds("a; b; c", 4) == (2, 4, False)


@pytest.mark.parametrize(
    "marked",
    [
        "SELECT 'abc|",
        "SELECT 'it''s |'",
        "SELECT E'it\\'s |",
        "SELECT 1 -- fr|",
        "SELECT 1 -- from |\n",
        "SELECT /* | */ 1",
        "SELECT $$ |",
        "SELECT $body$ ; |",
    ],
)
def test_nothing_inside_strings_and_comments(marked: str) -> None:
    assert suggest_type(*at_bar(marked)).suggestions == ()


def test_after_a_closed_literal_or_comment_completion_resumes() -> None:
    assert kinds("SELECT 'a' |") == ["keyword"]
    assert kinds("SELECT 1 -- c\nFROM |")[0] == "table"
    assert kinds("SELECT /* x */ | FROM t")[0] == "column"


def test_keywords_at_statement_start_and_after_names() -> None:
    assert kinds("|") == ["keyword"]
    assert suggest_type(*at_bar("SEL|")).prefix == "SEL"
    assert kinds("SELECT * FROM users |") == ["keyword"]
    assert kinds("SELECT a |") == ["keyword"]


def test_quoted_identifier_prefix() -> None:
    context = suggest_type(*at_bar('SELECT * FROM "Order It|'))
    assert (context.prefix, context.quoted, context.prefix_start) == ("Order It", True, 14)
    context = suggest_type(*at_bar('SELECT "Order Items".| FROM "Order Items"'))
    assert context.suggestions[0].tables == (TableRef(None, "Order Items"),)


def test_unknown_qualifier_may_be_a_table_or_a_schema() -> None:
    assert kinds("SELECT audit.|") == ["column", "table", "function"]
    assert first("SELECT public.users.|").tables == (TableRef("public", "users"),)


def test_pathological_input_finishes() -> None:
    """Linear scanning: these would hang with a backtracking pattern."""
    for text in (
        "SELECT " + "a." * 20_000,
        "SELECT " + '"' * 20_001,
        "SELECT " + "'" * 20_001 + " FROM ",
        "SELECT " + "(" * 5_000 + "x",
        "SELECT " + "/*" * 10_000,
    ):
        context = suggest_type(text)
        assert context.word_start <= len(text)


# -- complete_sql: candidates from a snapshot ------------------------------------------------

SNAPSHOT = CatalogSnapshot(
    tables={
        "public": {
            "users": ["id", "name", "email"],
            "orders": ["id", "user_id", "total"],
            "Order Items": ["Qty", "order_id", "user"],
        },
        "audit": {"log": ["at", "what"]},
    },
    functions=["count", "coalesce", "now"],
    search_path=("public",),
)


def labels(result: Completions) -> list[str]:
    return [c.label for c in result.candidates]


def complete(marked: str, snapshot: CatalogSnapshot = SNAPSHOT) -> Completions:
    return complete_sql(*at_bar(marked), snapshot)


def test_columns_of_an_aliased_table() -> None:
    result = complete("SELECT u.| FROM users u")
    assert labels(result) == ["id", "name", "email"]
    assert {c.detail for c in result.candidates} == {"u"}
    result = complete("SELECT u.na| FROM users u")
    assert labels(result) == ["name"]
    assert (result.start, result.end) == (9, 11)


def test_from_clause_columns_before_functions_and_keywords() -> None:
    result = complete("SELECT | FROM orders")
    assert labels(result)[:3] == ["id", "user_id", "total"]
    assert labels(result)[3:6] == ["count", "coalesce", "now"]
    assert "SELECT" in labels(result)
    assert [c.kind for c in result.candidates][:4] == ["column", "column", "column", "function"]


def test_tables_follow_the_search_path_and_schemas_qualify() -> None:
    result = complete("SELECT * FROM |")
    tables = [c for c in result.candidates if c.kind == "table"]
    assert [(c.label, c.text, c.detail) for c in tables] == [
        ("users", "users", "public"),
        ("orders", "orders", "public"),
        ("Order Items", '"Order Items"', "public"),
    ]
    assert [c.label for c in result.candidates if c.kind == "schema"] == ["public", "audit"]
    assert labels(complete("SELECT * FROM audit.|")) == ["log"]
    assert labels(complete("SELECT audit.log.|")) == ["at", "what"]


def test_quoted_names_are_inserted_with_quotes() -> None:
    result = complete('SELECT * FROM "Or|')
    assert [(c.text, c.kind) for c in result.candidates] == [('"Order Items"', "table")]
    assert result.start == 14
    result = complete('SELECT oi.| FROM "Order Items" oi')
    assert [c.text for c in result.candidates] == ['"Qty"', "order_id", '"user"']


def test_prefix_matching_and_keyword_case() -> None:
    assert labels(complete("SELECT * FROM users WHERE mai|")) == ["email"]  # contains
    assert labels(complete("sel|"))[0] == "select"
    assert labels(complete("SEL|"))[0] == "SELECT"
    assert "PRAGMA" in labels(complete("PRA|", CatalogSnapshot(dialect="sqlite")))
    assert "PRAGMA" not in labels(complete("PRA|"))
    assert labels(complete("SELECT 'na|")) == []


def test_builtin_functions_when_the_snapshot_has_none() -> None:
    assert "json_extract" in labels(complete("SELECT json_e|", CatalogSnapshot(dialect="sqlite")))
    assert "jsonb_set" in labels(complete("SELECT jsonb_s|", CatalogSnapshot()))


def test_rank_orders_starts_before_contains_and_limits() -> None:
    many = {f"k{n}": ["c"] for n in range(500)} | {"xk1": ["c"]}
    snapshot = CatalogSnapshot(tables={"public": many})
    assert len(complete("SELECT * FROM |", snapshot).candidates) == 200
    found = labels(complete("SELECT * FROM k1|", snapshot))
    assert found[0] == "k1"
    assert found[-1] == "xk1"  # contains-matches after every starts-with match
    assert len(found) == 1 + 10 + 100 + 1
    assert rank("", []) == []
    assert quote_sql_name("select") == '"select"'
    assert quote_sql_name("plain_name") == "plain_name"
    assert quote_sql_name('we"ird') == '"we""ird"'


@pytest.mark.postgres
def test_completion_from_a_real_postgresql_catalog(postgres_db_url: str) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute('CREATE TABLE customers (id int, "Full Name" text, email text)')
        conn.execute("CREATE SCHEMA sales")
        conn.execute("CREATE TABLE sales.invoices (id int, customer_id int, amount numeric)")
        rows = conn.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_schema IN ('public', 'sales') ORDER BY table_schema, table_name, "
            "ordinal_position"
        ).fetchall()
    tables: dict[str, dict[str, list[str]]] = {}
    for schema, table, column in rows:
        tables.setdefault(schema, {}).setdefault(table, []).append(column)
    snapshot = CatalogSnapshot(tables=tables, search_path=("public",))
    result = complete(
        "SELECT c.| FROM customers AS c JOIN sales.invoices i ON i.customer_id = c.id", snapshot
    )
    assert [c.text for c in result.candidates] == ["id", '"Full Name"', "email"]
    result = complete("SELECT i.am| FROM customers c JOIN sales.invoices i ON true", snapshot)
    assert labels(result) == ["amount"]


# -- Redis and MongoDB ----------------------------------------------------------------------

COMMANDS = ["GET", "HGET", "HSCAN", "HSET", "SET", "CONFIG"]


def test_redis_command_names_follow_the_typed_case() -> None:
    result = complete_redis("hs", 2, COMMANDS)
    assert [c.text for c in result.candidates] == ["hscan", "hset"]
    assert (result.start, result.end) == (0, 2)
    assert [c.text for c in complete_redis("HG", 2, COMMANDS).candidates] == ["HGET"]
    assert len(complete_redis("", 0, COMMANDS).candidates) == len(COMMANDS)
    text = "GET a\n  se"
    result = complete_redis(text, len(text), COMMANDS)
    assert [c.text for c in result.candidates] == ["set"]
    assert result.start == len(text) - 2


def test_redis_subcommands_and_arguments() -> None:
    subs = {"config": ["GET", "SET", "RESETSTAT"]}
    text = "CONFIG "
    assert [
        c.text for c in complete_redis(text, len(text), COMMANDS, subcommands=subs).candidates
    ] == [
        "GET",
        "SET",
        "RESETSTAT",
    ]
    text = "config re"
    assert [
        c.text for c in complete_redis(text, len(text), COMMANDS, subcommands=subs).candidates
    ] == ["resetstat"]
    assert complete_redis("GET ke", 6, COMMANDS).candidates == ()


FIELDS = ["_id", "name", "address.city", "total"]


def mongo(marked: str, **kwargs: object) -> Completions:
    text, cursor = at_bar(marked)
    return complete_mongo(text, cursor, fields=FIELDS, **kwargs)  # type: ignore[arg-type]


def test_mongo_operators_and_fields() -> None:
    result = mongo("db.users.find({total: {$g|")
    assert labels(result) == [op for op in MONGO_OPERATORS if op.startswith("$g")]
    assert labels(result)[:2] == ["$gt", "$gte"]
    assert result.start == len("db.users.find({total: {")
    assert labels(mongo("db.users.find({na|")) == ["name"]
    assert [c.text for c in mongo("db.users.find({addr|").candidates] == ['"address.city"']
    assert [c.text for c in mongo('db.users.find({"address.c|').candidates] == ["address.city"]
    assert labels(mongo("db.users.find({name: 1, |"))[:2] == ["_id", "name"]
    result = mongo('db.o.aggregate([{$group: {_id: "$to|')
    assert labels(result)[0] == "$total"  # in a value: field paths before operators
    assert set(labels(result)[1:]) == {op for op in MONGO_OPERATORS if op.startswith("$to")}
    assert labels(mongo('db.o.aggregate([{$group: {_id: "$|'))[0] == "$_id"
    assert labels(mongo("db.o.find({$|"))[0] == MONGO_OPERATORS[0]
    assert labels(mongo("db.o.find({name: na|")) == []


def test_mongo_collections_and_methods() -> None:
    result = mongo("db.us|", collections=["users", "orders"])
    assert labels(result) == ["users"]
    assert result.start == 3
    assert labels(mongo("db.users.findOne|")) == [
        "findOne",
        "findOneAndUpdate",
        "findOneAndReplace",
        "findOneAndDelete",
    ]


def test_sql_keyword_lists_are_distinct_per_dialect() -> None:
    assert len(set(SQL_KEYWORDS["postgresql"])) == len(SQL_KEYWORDS["postgresql"])
    assert "ILIKE" in SQL_KEYWORDS["postgresql"]
    assert "ILIKE" not in SQL_KEYWORDS["sqlite"]
