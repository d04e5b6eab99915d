"""Completion contexts pgcli users expect (pure: strings and snapshots, no server)."""

from __future__ import annotations

from dbtui.core.completion import CatalogSnapshot, ForeignKey, complete_sql
from dbtui.core.sql_context import Suggestion, suggest_type
from dbtui.core.sql_tokens import TableRef

SNAPSHOT = CatalogSnapshot(
    tables={
        "public": {
            "users": ["id", "name", "email"],
            "orders": ["id", "user_id", "total"],
            "archive": ["id", "note"],
            "My Table": ["Mixed Col", "plain"],
            "lines": ["order_id", "sku", "qty"],
        },
        "audit": {"events": ["id", "at"]},
    },
    search_path=("public",),
    foreign_keys=(
        ForeignKey("public", "orders", ("user_id",), "public", "users", ("id",), "orders_user_fk"),
        ForeignKey("public", "lines", ("order_id",), "public", "orders", ("id",), "lines_order_fk"),
    ),
)


def at_bar(text: str) -> tuple[str, int]:
    cursor = text.index("|")
    return text[:cursor] + text[cursor + 1 :], cursor


def labels(marked: str, kind: str | None = None) -> list[str]:
    found = complete_sql(*at_bar(marked), SNAPSHOT).candidates
    return [c.label for c in found if kind is None or c.kind == kind]


def suggestions(marked: str) -> tuple[Suggestion, ...]:
    return suggest_type(*at_bar(marked)).suggestions


# -- a quoted table name in FROM -------------------------------------------------------------


def test_quoted_table_in_from_keeps_the_context() -> None:
    assert labels('SELECT * FROM "users" WHERE |', "column") == ["id", "name", "email"]
    assert labels('SELECT * FROM "users" u WHERE u.|') == ["id", "name", "email"]
    assert labels('SELECT * FROM public."orders" WHERE |', "column") == ["id", "user_id", "total"]
    assert labels('SELECT * FROM "My Table" t WHERE t.|') == ["Mixed Col", "plain"]
    assert labels('SELECT | FROM "My Table"', "column") == ["Mixed Col", "plain"]


def test_an_open_quote_is_still_a_quoted_prefix() -> None:
    context = suggest_type(*at_bar('SELECT * FROM "My|'))
    assert (context.quoted, context.prefix) == (True, "My")
    found = complete_sql(*at_bar('SELECT * FROM "My|'), SNAPSHOT).candidates
    assert [c.text for c in found] == ['"My Table"']
    assert labels('SELECT * FROM "My Table" t WHERE t."Mi|') == ["Mixed Col"]


def test_a_closed_quote_before_the_word_is_not_part_of_it() -> None:
    context = suggest_type(*at_bar('SELECT * FROM "users" WHERE na|'))
    assert (context.quoted, context.prefix, context.qualifier) == (False, "na", ())


# -- INSERT INTO t (...) SELECT --------------------------------------------------------------


def test_insert_target_columns_do_not_leak_into_the_select() -> None:
    assert labels("INSERT INTO archive (id, note) SELECT | FROM users", "column") == [
        "id",
        "name",
        "email",
    ]
    assert labels("INSERT INTO archive (id, note) SELECT id, | FROM users u", "column") == [
        "id",
        "name",
        "email",
    ]
    assert suggestions("INSERT INTO archive (id, note) SELECT u.| FROM users u")[0].tables == (
        TableRef(None, "users", "u"),
    )


def test_the_target_column_list_still_offers_the_target() -> None:
    assert labels("INSERT INTO archive (|) SELECT id FROM users") == ["id", "note"]
    assert labels("INSERT INTO archive (id, |") == ["id", "note"]


def test_returning_after_insert_select_names_the_target() -> None:
    marked = "INSERT INTO archive (id) SELECT id FROM users RETURNING |"
    assert "note" in labels(marked, "column")


# -- an unclosed function parenthesis --------------------------------------------------------


def test_unclosed_function_call_does_not_hide_the_from_clause() -> None:
    assert labels("SELECT count(| FROM orders", "column") == ["id", "user_id", "total"]
    assert labels("SELECT coalesce(total, | FROM orders o", "column") == ["id", "user_id", "total"]
    assert labels("SELECT sum(round(| FROM orders WHERE id IN (1, 2)", "column")[:1] == ["id"]


def test_unclosed_subquery_stays_its_own_scope() -> None:
    marked = "SELECT * FROM users WHERE id IN (SELECT | FROM orders"
    assert suggestions(marked)[0].tables == (TableRef(None, "orders"),)


# -- correlated subqueries -------------------------------------------------------------------


def test_outer_alias_resolves_inside_a_correlated_subquery() -> None:
    marked = "SELECT * FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.|)"
    assert labels(marked) == ["id", "name", "email"]
    context = suggest_type(*at_bar(marked))
    assert context.outer_tables == (TableRef(None, "users", "u"),)
    deeper = "SELECT * FROM users u WHERE id IN (SELECT user_id FROM orders o WHERE EXISTS (SELECT 1 FROM lines l WHERE l.order_id = o.id AND u.|))"
    assert labels(deeper) == ["id", "name", "email"]


def test_inner_alias_shadows_the_outer_one() -> None:
    marked = "SELECT * FROM users x WHERE EXISTS (SELECT 1 FROM orders x WHERE x.|)"
    assert labels(marked) == ["id", "user_id", "total"]


# -- ALTER TABLE, COPY, SET search_path ------------------------------------------------------


def test_columns_after_alter_table_alter_drop_rename_column() -> None:
    for marked in (
        "ALTER TABLE users ALTER COLUMN |",
        "ALTER TABLE users DROP COLUMN |",
        "ALTER TABLE users DROP COLUMN IF EXISTS |",
        "ALTER TABLE ONLY public.users RENAME COLUMN |",
        "ALTER TABLE IF EXISTS users ALTER |",
        "ALTER TABLE users DROP COLUMN name, DROP COLUMN |",
    ):
        assert labels(marked, "column") == ["id", "name", "email"], marked
    assert labels("ALTER TABLE users DROP |", "keyword")[:1] != []
    assert labels("ALTER TABLE |", "table")[:2] == ["users", "orders"]
    assert labels("ALTER TABLE users ADD CONSTRAINT f FOREIGN KEY (id) REFERENCES |", "table")


def test_tables_after_copy_but_not_after_copy_from() -> None:
    assert labels("COPY |", "table") == ["users", "orders", "archive", "My Table", "lines"]
    assert labels("COPY us|") == ["users"]
    assert labels("COPY orders (|") == ["id", "user_id", "total"]
    assert labels("COPY orders FROM |", "table") == []


def test_schemas_after_set_search_path() -> None:
    for marked in (
        "SET search_path TO |",
        "SET search_path = |",
        "SET LOCAL search_path TO public, |",
        "set search_path to |",
    ):
        assert labels(marked) == ["public", "audit"], marked
    assert labels("SET search_path TO au|") == ["audit"]


# -- join conditions from foreign keys -------------------------------------------------------


def test_join_condition_from_a_foreign_key_comes_first() -> None:
    found = labels("SELECT * FROM users u JOIN orders o ON |")
    assert found[0] == "o.user_id = u.id"
    assert labels("SELECT * FROM orders o JOIN users u ON |", "join") == ["u.id = o.user_id"]


def test_join_conditions_to_every_earlier_table_and_without_aliases() -> None:
    marked = "SELECT * FROM users u JOIN orders o ON o.user_id = u.id JOIN lines ON |"
    assert labels(marked, "join") == ["lines.order_id = o.id"]
    assert labels("SELECT * FROM users JOIN orders ON |", "join") == ["orders.user_id = users.id"]


def test_no_join_condition_without_a_key_or_a_second_table() -> None:
    assert labels("SELECT * FROM users u JOIN archive a ON |", "join") == []
    assert labels("SELECT * FROM users u JOIN events e ON |", "join") == []
    assert labels("SELECT * FROM users u WHERE |", "join") == []


def test_multi_column_and_quoted_join_conditions() -> None:
    snapshot = CatalogSnapshot(
        tables={"s": {"Parent": ["K1", "k2"], "child": ["p1", "p2"]}},
        search_path=("s",),
        foreign_keys=(ForeignKey("s", "child", ("p1", "p2"), "s", "Parent", ("K1", "k2")),),
    )
    found = complete_sql(*at_bar('SELECT * FROM "Parent" p JOIN child c ON |'), snapshot)
    joins = [c.text for c in found.candidates if c.kind == "join"]
    assert joins == ['c.p1 = p."K1" AND c.p2 = p.k2']


def test_self_join_through_a_foreign_key() -> None:
    snapshot = CatalogSnapshot(
        tables={"public": {"staff": ["id", "boss_id"]}},
        search_path=("public",),
        foreign_keys=(ForeignKey("public", "staff", ("boss_id",), "public", "staff", ("id",)),),
    )
    found = complete_sql(*at_bar("SELECT * FROM staff s JOIN staff b ON |"), snapshot)
    joins = [c.text for c in found.candidates if c.kind == "join"]
    assert joins == ["b.boss_id = s.id", "b.id = s.boss_id"]


def test_every_prefix_of_awkward_statements_completes_without_error() -> None:
    awkward = (
        'INSERT INTO "t" (a, "b""c") SELECT x, count( FROM users u JOIN orders o ON o.id = u.',
        'ALTER TABLE ONLY IF EXISTS public."users" DROP COLUMN IF EXISTS id, ALTER ',
        "SET LOCAL search_path = public, 'x', ",
        'SELECT ((((( FROM ))) x WHERE """ \'\' -- ; \n /* ',
        "WITH a AS (INSERT INTO users VALUES (1) RETURNING *) SELECT * FROM a JOIN orders ON ",
    )
    for text in awkward:
        for cursor in range(len(text) + 1):
            found = complete_sql(text, cursor, SNAPSHOT)
            assert found.start <= found.end == cursor
