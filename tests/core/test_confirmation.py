"""The confirmation a destructive SQL statement needs: which object names must be typed."""

from __future__ import annotations

import pytest

from dbtui.core.confirmation import Confirmation, for_script, typed_text
from dbtui.core.sqlclass import destructive_question


@pytest.mark.parametrize(
    ("sql", "typed"),
    [
        ("DROP TABLE t", "t"),
        ('DROP TABLE IF EXISTS public."My T" CASCADE', "public.My T"),
        ("DROP TABLE a, b", "a, b"),
        ("DROP TABLE a, b, c, d", "4"),
        ("DROP VIEW v", "v"),
        ("DROP INDEX CONCURRENTLY s.i", "s.i"),
        ("DROP SCHEMA s CASCADE", "s"),
        ("DROP DATABASE shop", "shop"),
        ("DROP TYPE mood", "mood"),
        ("DROP FUNCTION f(int)", "f"),
        ("DROP TRIGGER trg ON t", "trg"),
        ("DROP ROLE a, b", "a, b"),
        ("DROP CAST (int AS text)", "CAST"),
        ("TRUNCATE a, s.b", "a, s.b"),
        ("ALTER TABLE t DROP COLUMN c", "c"),
        ("ALTER TABLE t DROP CONSTRAINT t_pk, DROP COLUMN x", "t_pk, x"),
        ("DROP TABLE t; DROP TABLE t; DROP VIEW w", "t, w"),
    ],
)
def test_destroying_an_object_needs_its_name(sql: str, typed: str) -> None:
    needed = destructive_question(sql)
    assert needed is not None
    assert needed.typed == typed
    assert needed.question.startswith("Destructive: ")
    assert needed.yes_label == "Run it"


@pytest.mark.parametrize("sql", ["DELETE FROM t", "UPDATE t SET a = 1"])
def test_changing_every_row_asks_without_a_name(sql: str) -> None:
    needed = destructive_question(sql)
    assert needed is not None
    assert needed.typed is None


@pytest.mark.parametrize("sql", ["SELECT 1", "DELETE FROM t WHERE a = 1", "DROP TABLE (", ""])
def test_harmless_or_unparsable_needs_nothing(sql: str) -> None:
    assert destructive_question(sql) is None


def test_typed_text() -> None:
    assert typed_text([]) is None
    assert typed_text(["", "a"]) == "a"
    assert typed_text(["a", "b", "a"]) == "a, b"
    assert typed_text(["a", "b", "c", "d", "e"]) == "5"


def test_for_script_combines_the_names() -> None:
    assert for_script([]) is None
    plain = for_script([Confirmation("DELETE all?")])
    assert plain == Confirmation("Run this script?", "DELETE all?", None, "Yes")
    many = [Confirmation(f"q{i}", typed=name) for i, name in enumerate(["a", None, "b", "a"])]
    combined = for_script(many, shown=2)
    assert combined is not None
    assert combined.typed == "a, b"
    assert combined.detail == "q0\nq1\n… and 2 more"
