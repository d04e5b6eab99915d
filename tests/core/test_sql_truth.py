"""A constant-true WHERE is no WHERE: the destructive-statement confirmation covers it."""

from __future__ import annotations

import pglast
import pytest

from dbtui.core.sql_truth import always_true
from dbtui.core.sqlclass import classify, destructive_question


def _where(sql: str) -> object:
    stmt = pglast.parse_sql(sql)[0].stmt
    return getattr(stmt, "whereClause", None)


@pytest.mark.parametrize(
    "where",
    [
        "true",
        "TRUE",
        "1 = 1",
        "1=1",
        "'a' = 'a'",
        "1 = 1 OR x = 2",
        "x = 2 OR 1 = 1",
        "true AND 2 > 1",
        "NOT false",
        "'t'::boolean",
        "'yes'",
        "1",
        "1.5 >= 1",
        "1 IS NOT NULL",
        "NULL IS NULL",
        "true IS TRUE",
        "false IS NOT TRUE",
        "(1 = 1) AND (2 <> 3)",
        "NOT (1 = 2)",
    ],
)
def test_constant_true_where_clauses(where: str) -> None:
    assert always_true(_where(f"DELETE FROM t WHERE {where}"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "where",
    [
        "false",
        "x = 1",
        "1 = 2",
        "1 = 1 AND x = 2",
        "NULL",
        "NULL = NULL",
        "1 = NULL OR false",
        "'1' = 1",
        "0",
        "'no'",
        "f()",
        "x",
        "$1",
        "1 IS NULL",
        "NOT true",
        "x IS NOT NULL",
        "1 = 1 AND NULL",
    ],
)
def test_real_or_false_filters_are_not_always_true(where: str) -> None:
    assert not always_true(_where(f"DELETE FROM t WHERE {where}"))  # type: ignore[arg-type]


def test_no_where_is_left_to_the_caller() -> None:
    assert not always_true(None)


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("DELETE FROM t WHERE true", "DELETE with an always-true WHERE removes every row of t"),
        (
            "delete from s.t where 1 = 1",
            "DELETE with an always-true WHERE removes every row of s.t",
        ),
        (
            "UPDATE t SET a = 1 WHERE true",
            "UPDATE with an always-true WHERE changes every row of t",
        ),
        (
            "UPDATE t SET a = 1 WHERE 1=1 OR id = 5",
            "UPDATE with an always-true WHERE changes every row of t",
        ),
        ("DELETE FROM t", "DELETE without WHERE removes every row of t"),
    ],
)
def test_constant_true_where_is_destructive(sql: str, reason: str) -> None:
    assert classify(sql).reason == reason
    question = destructive_question(sql)
    assert question is not None
    assert reason in question.question


def test_a_real_filter_asks_nothing() -> None:
    assert destructive_question("DELETE FROM t WHERE id = 1 OR 1 = 2") is None
    assert destructive_question("UPDATE t SET a = 1 WHERE a IS NULL") is None
