"""Is a WHERE clause constant-true? Read from pglast's parse tree, no I/O.

``DELETE FROM t WHERE true`` and ``UPDATE t SET x = 1 WHERE 1 = 1 OR id = 5`` touch
every row, exactly like the same statements without WHERE; :func:`always_true` tells
them apart from a real filter so the destructive-statement confirmation covers them.

Only constants are folded: literals (``true``, ``1``, ``'t'``, ``NULL``), casts of them,
comparisons of two literals, ``AND``/``OR``/``NOT`` with SQL's three-valued logic,
``IS [NOT] NULL`` and ``IS [NOT] TRUE/FALSE``. Anything naming a column, a parameter
or a function is unknown, and an unknown clause is never "always true". Both engines
that reach here are covered: a true-ish literal for either PostgreSQL (``'yes'``,
``'on'``) or SQLite (a non-zero number, ``WHERE 1``) counts as true, so the check errs
on the side of asking.
"""

from __future__ import annotations

from pglast import ast

_UNKNOWN = object()
"""The value of an expression that is not a constant."""

_TRUE_WORDS = frozenset({"t", "true", "y", "yes", "on", "1"})
_BOOL_TYPES = frozenset({"bool", "boolean"})
_COMPARISONS = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def every_row(where: ast.Node | None) -> bool:
    """True when a DELETE/UPDATE with the WHERE clause ``where`` (``None``: none) hits every row."""
    return where is None or always_true(where)


def always_true(where: ast.Node | None) -> bool:
    """True when the WHERE clause ``where`` keeps every row whatever the table holds.

    ``None`` (no WHERE) is not covered here: callers test for it themselves.
    """
    if where is None:
        return False
    value = _value(where)
    return value is not _UNKNOWN and _truthy(value) is True


def _value(node: object) -> object:
    """The constant value of ``node`` (``None`` for SQL NULL), or :data:`_UNKNOWN`."""
    if isinstance(node, ast.A_Const):
        return None if node.isnull else _literal(node.val)
    if isinstance(node, ast.TypeCast):
        return _cast(_value(node.arg), node.typeName)
    if isinstance(node, ast.BoolExpr):
        return _bool_expr(node)
    if isinstance(node, ast.A_Expr):
        return _comparison(node)
    if isinstance(node, ast.NullTest):
        inner = _value(node.arg)
        if inner is _UNKNOWN:
            return _UNKNOWN
        wants_null = getattr(node.nulltesttype, "name", "") == "IS_NULL"
        return (inner is None) == wants_null
    if isinstance(node, ast.BooleanTest):
        return _boolean_test(node)
    return _UNKNOWN


def _literal(val: object) -> object:
    if isinstance(val, ast.Boolean):
        return bool(val.boolval)
    if isinstance(val, ast.Integer):
        return int(val.ival or 0)
    if isinstance(val, ast.Float):
        try:
            return float(str(val.fval))
        except (TypeError, ValueError):
            return _UNKNOWN
    if isinstance(val, ast.String):
        return str(val.sval)
    return _UNKNOWN


def _cast(value: object, type_name: ast.TypeName | None) -> object:
    """``value::bool`` becomes a truth value; other casts keep the value."""
    if value is _UNKNOWN or value is None:
        return value
    names = [getattr(part, "sval", "") for part in getattr(type_name, "names", None) or ()]
    if names and str(names[-1]).lower() in _BOOL_TYPES:
        return _truthy(value)
    return value


def _truthy(value: object) -> bool | None:
    """SQL truth of a constant: ``None`` for NULL, true when either engine reads it as true."""
    if value is None or value is _UNKNOWN:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = str(value).strip().lower()
    if text in _TRUE_WORDS:
        return True
    try:
        return float(text) != 0
    except ValueError:
        return False


def _bool_expr(node: ast.BoolExpr) -> object:
    """AND / OR / NOT of constants, with SQL's three-valued logic."""
    args = [_value(arg) for arg in node.args or ()]
    op = getattr(node.boolop, "name", "")
    truths = [_UNKNOWN if arg is _UNKNOWN else _truthy(arg) for arg in args]
    if op == "NOT_EXPR":
        only = truths[0] if truths else _UNKNOWN
        return _UNKNOWN if only is _UNKNOWN else (None if only is None else not only)
    if op == "OR_EXPR":
        if True in truths:
            return True
        if _UNKNOWN in truths:
            return _UNKNOWN
        return None if None in truths else False
    if False in truths:
        return False
    if _UNKNOWN in truths:
        return _UNKNOWN
    return None if None in truths else True


def _comparison(node: ast.A_Expr) -> object:
    """``literal op literal`` for the six comparison operators."""
    names = node.name or ()
    if getattr(node.kind, "name", "") != "AEXPR_OP" or len(names) != 1:
        return _UNKNOWN
    compare = _COMPARISONS.get(str(getattr(names[0], "sval", "")))
    left, right = _value(node.lexpr), _value(node.rexpr)
    if compare is None or _UNKNOWN in (left, right):
        return _UNKNOWN
    if left is None or right is None:
        return None
    numbers = (int, float)
    both_numbers = isinstance(left, numbers) and isinstance(right, numbers)
    if not both_numbers and type(left) is not type(right):
        return _UNKNOWN  # '1' = 1: the engines disagree on the coercion
    return bool(compare(left, right))


def _boolean_test(node: ast.BooleanTest) -> object:
    """``x IS [NOT] TRUE / FALSE / UNKNOWN`` of a constant."""
    inner = _value(node.arg)
    if inner is _UNKNOWN:
        return _UNKNOWN
    truth = _truthy(inner)
    test = getattr(node.booltesttype, "name", "")
    outcome = {
        "IS_TRUE": truth is True,
        "IS_NOT_TRUE": truth is not True,
        "IS_FALSE": truth is False,
        "IS_NOT_FALSE": truth is not False,
        "IS_UNKNOWN": truth is None,
        "IS_NOT_UNKNOWN": truth is not None,
    }
    return outcome.get(test, _UNKNOWN)
