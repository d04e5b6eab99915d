"""Walk a pglast parse tree and record the column uses an index could serve.

See :mod:`dbtui.core.advisor.shape` for the model. Predicates are read through
AND and OR (an OR of indexable terms can still use a bitmap OR of indexes);
``NOT`` hides its terms, except the subqueries inside it. A comparison is
indexable when one side is a column (or an expression of exactly one column and
constants) and the other side is a constant, a parameter, or an expression
without columns; two plain columns compared with ``=`` are a join. No I/O.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence

import pglast
from pglast import ast
from pglast.parser import ParseError
from pglast.stream import RawStream

from dbtui.core.advisor.shape import ColumnUse, QueryShape, TableRef, Use
from dbtui.core.errors import QueryError
from dbtui.drivers.postgres.sqlwalk_scope import Scope as _Scope
from dbtui.drivers.postgres.sqlwalk_scope import Scopes, find_nodes, inlinable, locate
from dbtui.drivers.postgres.sqlwalk_scope import output_column as _output_column
from dbtui.drivers.postgres.sqlwalk_scope import targets as _targets
from dbtui.drivers.postgres.sqlwalk_scope import through_derived as _through_derived

_find = find_nodes
_locate = locate
_inlinable = inlinable


def parse_one(sql: str) -> ast.Node:
    """The single statement of ``sql`` (an ``EXPLAIN`` wrapper is removed).

    Raises:
        QueryError: it does not parse, or holds zero or several statements.
    """
    try:
        statements = pglast.parse_sql(sql)
    except ParseError as exc:
        raise QueryError(str(exc.args[0]), "Syntax error", statement=sql) from None
    if len(statements) != 1 or statements[0].stmt is None:
        raise QueryError(
            f"the advisor needs exactly one statement; found {len(statements)}",
            "Cannot advise",
            statement=sql,
        )
    node: ast.Node = statements[0].stmt
    while isinstance(node, ast.ExplainStmt) and node.query is not None:
        node = node.query
    return node


def statement_text(sql: str) -> str:
    """``sql`` without an ``EXPLAIN (...)`` prefix and trailing semicolons.

    Raises:
        QueryError: as :func:`parse_one`.
    """
    node = parse_one(sql)
    raw = pglast.parse_sql(sql)[0].stmt
    if node is raw:
        return sql.strip().rstrip(";").strip()
    return str(RawStream()(node))


RANGE_OPERATORS = frozenset({"<", "<=", ">", ">="})
LIKE_OPERATORS = frozenset({"~~", "~~*"})
CONTAINS_OPERATORS = frozenset({"@>", "<@", "?", "?|", "?&", "&&"})
DISTANCE_OPERATORS = frozenset({"<->", "<=>", "<#>", "<+>"})
"""pgvector's L2, cosine, inner-product and L1 distance operators."""


def extract_shape(
    sql: str, views: Mapping[tuple[str | None, str], str] | None = None
) -> QueryShape:
    """The tables and column uses of the single statement in ``sql``.

    Args:
        sql: The statement.
        views: View definitions (``pg_get_viewdef``) by the ``TableRef.key`` the statement
            uses: a view is walked like a subquery in FROM, so a filter on one of its
            columns becomes a use of the base table's column (see :mod:`.advisor_views`).

    Raises:
        QueryError: it does not parse, or holds zero or several statements.
    """
    node = parse_one(sql)
    walker = _Walker(views or {})
    walker.statement(node, ())
    limit = getattr(getattr(getattr(node, "limitCount", None), "val", None), "ival", None)
    return QueryShape(
        node=type(node).__name__,
        tables=tuple(walker.tables.values()),
        uses=tuple(walker.uses),
        params=max((int(p.number or 0) for p in _find(node, ast.ParamRef)), default=0),
        limit=limit if isinstance(limit, int) else None,
    )


class _Walker:
    """Collects tables and column uses over a whole statement."""

    def __init__(self, views: Mapping[tuple[str | None, str], str]) -> None:
        self.tables: dict[tuple[str | None, str], TableRef] = {}
        self.uses: list[ColumnUse] = []
        self.ctes: set[str] = set()
        self.views = views
        self.inlined: dict[str, ast.SelectStmt] = {}
        """Inlinable CTEs (the planner folds them into the query) by name."""
        self.last_scope: _Scope | None = None
        self.depth = 0

    # -- statements ---------------------------------------------------------------------------

    def statement(self, node: object, outer: Scopes) -> None:
        """Walk one statement or subquery seen from the ``outer`` scopes."""
        with_clause = getattr(node, "withClause", None)
        for cte in getattr(with_clause, "ctes", None) or ():
            self.ctes.add(str(cte.ctename))
            if isinstance(with_clause, ast.WithClause) and _inlinable(cte, node, with_clause):
                self.inlined[str(cte.ctename)] = cte.ctequery
            else:
                self.statement(cte.ctequery, outer)
        if isinstance(node, ast.SelectStmt):
            self._select(node, outer)
        elif isinstance(node, ast.InsertStmt):
            self._add_table(node.relation, _Scope())
            if node.selectStmt is not None:
                self.statement(node.selectStmt, outer)
        elif isinstance(node, ast.UpdateStmt | ast.DeleteStmt):
            extra = node.fromClause if isinstance(node, ast.UpdateStmt) else node.usingClause
            self._filtered(node.relation, extra or (), node.whereClause, outer)
        elif isinstance(node, ast.MergeStmt):
            self._filtered(node.relation, (node.sourceRelation,), node.joinCondition, outer)

    def _filtered(
        self, target: ast.RangeVar | None, extra: tuple[object, ...], where: object, outer: Scopes
    ) -> None:
        """UPDATE/DELETE/MERGE: the target table, more FROM items, and a condition."""
        scope = _Scope()
        self._add_table(target, scope)
        joins = [q for item in extra for q in self._from_item(item, scope, outer)]
        for quals in [*joins, where]:
            self.predicate(quals, (scope, *outer))

    def _select(self, node: ast.SelectStmt, outer: Scopes) -> None:
        if node.larg is not None or node.rarg is not None:
            self.statement(node.larg, outer)
            self.statement(node.rarg, outer)
            return
        scope = _Scope()
        joins = [q for item in node.fromClause or () for q in self._from_item(item, scope, outer)]
        scopes = (scope, *outer)
        for quals in [*joins, node.whereClause]:
            self.predicate(quals, scopes)
        self.sublinks(node.targetList, scopes)
        self.sublinks(node.havingClause, scopes)
        for item in node.groupClause or ():
            item = _output_column(item, node.targetList)
            if isinstance(item, ast.ColumnRef):
                self._column_use(item, scopes, Use.GROUP)
        for sort in node.sortClause or ():
            self._sort(sort, scopes, node.targetList)
        self.last_scope = scope

    def _from_item(self, item: object, scope: _Scope, outer: Scopes) -> Iterator[object]:
        """Add a FROM item's names to ``scope``; yield its join conditions (walked later)."""
        if isinstance(item, ast.RangeVar):
            derived = self._derived_source(item)
            if derived is None:
                self._add_table(item, scope)
            else:
                name = str(item.alias.aliasname) if item.alias else str(item.relname)
                scope.names[name] = None
                self._derive(derived, name, scope, outer)
        elif isinstance(item, ast.JoinExpr):
            yield from self._from_item(item.larg, scope, outer)
            yield from self._from_item(item.rarg, scope, outer)
            if item.quals is not None:
                yield item.quals
            for name in item.usingClause or ():
                self._using_column(str(name.sval), item, scope)
        elif isinstance(item, ast.RangeSubselect):
            alias = getattr(item.alias, "aliasname", None)
            if alias:
                scope.names[str(alias)] = None
            self._derive(item.subquery, alias, scope, (scope, *outer) if item.lateral else outer)

    def _derived_source(self, rel: ast.RangeVar) -> object | None:
        """The query behind a FROM name: an inlinable CTE, or a view whose definition is known."""
        name, schema = str(rel.relname), rel.schemaname
        if schema is None and name in self.inlined:
            return self.inlined[name]
        text = self.views.get((str(schema) if schema else None, name))
        if text is None or self.depth > 8:
            return None
        try:
            return parse_one(text)
        except QueryError:
            return None

    def _take_scope(self) -> _Scope | None:
        """The FROM scope of the SELECT walked last (``None`` when it was not a plain one)."""
        scope, self.last_scope = self.last_scope, None
        return scope

    def _derive(self, query: object, alias: object, scope: _Scope, outer: Scopes) -> None:
        """Walk a subquery, CTE or view body; record where its output columns come from."""
        self.depth += 1
        self.last_scope = None
        try:
            self.statement(query, outer)
        finally:
            self.depth -= 1
        inner = self._take_scope()
        if not alias or inner is None or not isinstance(query, ast.SelectStmt):
            return
        if query.larg is not None or query.distinctClause:
            return
        scope.derived[str(alias)] = _targets(query.targetList, (inner, *outer))

    def _using_column(self, column: str, join: ast.JoinExpr, scope: _Scope) -> None:
        """``JOIN ... USING (col)``: a join use of ``col`` on both sides, when they are tables."""
        for side in (join.larg, join.rarg):
            if isinstance(side, ast.RangeVar):
                name = str(side.alias.aliasname) if side.alias else str(side.relname)
                table = scope.names.get(name)
                if table is not None:
                    self.uses.append(ColumnUse(table, column, Use.JOIN, "="))

    def _add_table(self, rel: ast.RangeVar | None, scope: _Scope) -> None:
        if rel is None:
            return
        name, schema = str(rel.relname), rel.schemaname
        alias = str(rel.alias.aliasname) if rel.alias is not None else None
        if schema is None and name in self.ctes:
            scope.names[alias or name] = None
            return
        table = TableRef(name, str(schema) if schema else None, alias)
        scope.names[alias or name] = table
        scope.tables.append(table)
        self.tables.setdefault(table.key, TableRef(table.name, table.schema))

    # -- predicates ---------------------------------------------------------------------------

    def predicate(self, node: object, scopes: Scopes) -> None:
        """Record the indexable terms of a WHERE or JOIN condition."""
        if node is None:
            return
        if isinstance(node, ast.BoolExpr):
            if getattr(node.boolop, "name", "") == "NOT_EXPR":
                self.sublinks(node.args, scopes)
                return
            for arg in node.args or ():
                self.predicate(arg, scopes)
        elif isinstance(node, ast.A_Expr):
            self._a_expr(node, scopes)
        elif isinstance(node, ast.NullTest):
            operator = "IS NULL" if _enum(node.nulltesttype) == "IS_NULL" else "IS NOT NULL"
            self._operand_use(node.arg, None, scopes, Use.NULL_TEST, operator)
        elif isinstance(node, ast.BooleanTest):
            self._operand_use(node.arg, None, scopes, Use.EQUALITY, "=")
        elif isinstance(node, ast.ColumnRef):
            self._column_use(node, scopes, Use.EQUALITY, "=", constant="true")
        elif isinstance(node, ast.SubLink):
            self._sublink(node, scopes)
        else:
            self.sublinks(node, scopes)

    def _a_expr(self, node: ast.A_Expr, scopes: Scopes) -> None:
        kind = _enum(node.kind)
        operator = str(node.name[-1].sval) if node.name else ""
        self.sublinks((node.lexpr, node.rexpr), scopes)
        if kind in ("AEXPR_OP", "AEXPR_OP_ANY", "AEXPR_NOT_DISTINCT", "AEXPR_IN"):
            if operator == "=":
                self._comparison(node.lexpr, node.rexpr, scopes, Use.EQUALITY, "=")
            elif operator in RANGE_OPERATORS and kind == "AEXPR_OP":
                self._comparison(node.lexpr, node.rexpr, scopes, Use.RANGE, operator)
            elif operator in LIKE_OPERATORS:
                self._comparison(node.lexpr, node.rexpr, scopes, Use.LIKE, operator)
            elif operator in CONTAINS_OPERATORS and kind == "AEXPR_OP":
                self._containment(node, operator, scopes)
        elif kind in ("AEXPR_LIKE", "AEXPR_ILIKE") and operator in LIKE_OPERATORS:
            self._comparison(node.lexpr, node.rexpr, scopes, Use.LIKE, operator)
        elif kind in ("AEXPR_BETWEEN", "AEXPR_BETWEEN_SYM"):
            self._operand_use(node.lexpr, None, scopes, Use.RANGE, "BETWEEN")

    def _comparison(self, left: object, right: object, scopes: Scopes, use: Use, op: str) -> None:
        if isinstance(left, ast.ColumnRef) and isinstance(right, ast.ColumnRef):
            if use is Use.EQUALITY:
                self._column_use(left, scopes, Use.JOIN, "=")
                self._column_use(right, scopes, Use.JOIN, "=")
            return
        for side, other in ((left, right), (right, left)):
            if _columns(side) and not _columns(other):
                self._operand_use(side, other, scopes, use, op)
                return
        if use is Use.EQUALITY:  # a.x = b.y + 1: the plain column can be looked up
            for side in (left, right):
                if isinstance(side, ast.ColumnRef):
                    self._column_use(side, scopes, Use.JOIN, "=")

    def _containment(self, node: ast.A_Expr, operator: str, scopes: Scopes) -> None:
        left, right = node.lexpr, node.rexpr
        if isinstance(left, ast.ColumnRef) and not _columns(right):
            self._column_use(left, scopes, Use.CONTAINS, operator)
        elif isinstance(right, ast.ColumnRef) and not _columns(left) and operator == "<@":
            self._column_use(right, scopes, Use.CONTAINS, "@>")

    def _operand_use(
        self, operand: object, other: object, scopes: Scopes, use: Use, operator: str
    ) -> None:
        """A use of ``operand``: a plain column, or an expression of exactly one column."""
        if isinstance(operand, ast.ColumnRef):
            self._column_use(operand, scopes, use, operator, constant=_constant(other))
            return
        refs = _columns(operand)
        if len(refs) != 1 or not isinstance(operand, ast.FuncCall | ast.TypeCast | ast.A_Expr):
            return
        expression = _unqualified_sql(operand)
        constant = _constant(other)
        self._column_use(refs[0], scopes, use, operator, expression=expression, constant=constant)

    def _sublink(self, node: ast.SubLink, scopes: Scopes) -> None:
        """``x IN (SELECT ...)`` is an equality on ``x``; the subquery is walked as well."""
        if _enum(node.subLinkType) == "ANY_SUBLINK" and isinstance(node.testexpr, ast.ColumnRef):
            self._column_use(node.testexpr, scopes, Use.EQUALITY, "=")
        self.statement(node.subselect, scopes)

    def sublinks(self, node: object, scopes: Scopes) -> None:
        """Walk the subqueries anywhere under ``node`` (select lists, HAVING, NOT ...)."""
        for sub in _find(node, ast.SubLink):
            self.statement(sub.subselect, scopes)

    def _sort(
        self, sort: ast.SortBy, scopes: Scopes, targets: Sequence[object] | None = None
    ) -> None:
        node = _output_column(sort.node, targets)
        descending = _enum(sort.sortby_dir) == "SORTBY_DESC"
        if isinstance(node, ast.ColumnRef):
            self._column_use(node, scopes, Use.ORDER, descending=descending)
        elif (
            isinstance(node, ast.A_Expr) and node.name and node.name[-1].sval in DISTANCE_OPERATORS
        ):
            for side, other in ((node.lexpr, node.rexpr), (node.rexpr, node.lexpr)):
                if isinstance(side, ast.ColumnRef) and not _columns(other):
                    self._column_use(side, scopes, Use.DISTANCE, str(node.name[-1].sval))
                    break
        else:
            refs = _columns(node)
            if len(refs) == 1 and isinstance(node, ast.FuncCall | ast.TypeCast):
                expression = _unqualified_sql(node)
                self._column_use(refs[0], scopes, Use.ORDER, expression=expression)
        self.sublinks(node, scopes)

    # -- columns ------------------------------------------------------------------------------

    def _column_use(
        self,
        ref: ast.ColumnRef,
        scopes: Scopes,
        use: Use,
        operator: str = "",
        *,
        expression: str | None = None,
        descending: bool = False,
        constant: str | None = None,
    ) -> None:
        names = [getattr(f, "sval", None) for f in ref.fields or ()]
        if not names or not all(isinstance(n, str) for n in names):
            return  # t.* or a malformed reference
        column, qualifier = str(names[-1]), names[-2] if len(names) > 1 else None
        through = _through_derived(qualifier, column, scopes)
        if through is not None:
            table, column, scope = through
        else:
            table, scope = _locate(qualifier, scopes)
        if table is None and not scope:
            return
        self.uses.append(
            ColumnUse(table, column, use, operator, expression, descending, constant, scope)
        )


def _enum(value: object) -> str:
    """The member name of a pglast enum value ("" for None)."""
    return str(getattr(value, "name", ""))


def _columns(node: object) -> list[ast.ColumnRef]:
    """Column references under ``node``, not looking into subqueries."""
    return list(_find(node, ast.ColumnRef, skip=ast.SubLink))


def _constant(node: object) -> str | None:
    """The literal text of ``node`` (through casts), or None (a parameter, an expression)."""
    if isinstance(node, ast.TypeCast):
        return _constant(node.arg)
    if isinstance(node, ast.A_Const) and not node.isnull:
        value = node.val
        for attr in ("sval", "ival", "fval", "boolval"):
            found = getattr(value, attr, None)
            if found is not None:
                return str(found).lower() if isinstance(found, bool) else str(found)
    return None


def _unqualified_sql(node: ast.Node) -> str:
    """``node`` as SQL with its column references stripped of table names."""
    clone = copy.deepcopy(node)
    for ref in _find(clone, ast.ColumnRef):
        ref.fields = (ref.fields or ())[-1:]
    return str(RawStream()(clone))
