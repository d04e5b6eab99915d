"""What the PostgreSQL advisor tried for a statement, in plain words.

When nothing is suggested, the answer says what was tried and why each
candidate was rejected (:class:`dbtui.core.advice.Advice`): tables that cannot
be indexed, columns an existing index already serves, candidates HypoPG could not
simulate, and every what-if candidate with the reason from
:func:`dbtui.core.advisor.dexter.select`. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dbtui.core.advisor.candidates import btree_keys
from dbtui.core.advisor.dexter import Selection, label
from dbtui.core.advisor.indexes import IndexSpec, covering_index
from dbtui.core.advisor.shape import ColumnUse, QueryShape
from dbtui.drivers.postgres.advisor_catalog import TableFacts

_KINDS = {
    "v": "a view whose definition could not be followed",
    "f": "a foreign table",
    "S": "a sequence",
    "c": "a composite type",
}


def _name(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def table_lines(
    shape: QueryShape,
    facts: Mapping[tuple[str | None, str], TableFacts],
    uses: Mapping[tuple[str | None, str], Sequence[ColumnUse]],
) -> list[str]:
    """Tables the statement names that get no candidate, and why."""
    lines: list[str] = []
    for ref in shape.tables:
        table = facts.get(ref.key)
        if table is None:
            continue
        name = _name(table.schema, table.name)
        if not table.indexable:
            kind = _KINDS.get(table.relkind, "a system table" if table.relkind == "r" else "")
            lines.append(f"{name}: {kind or 'not a table'}, so it cannot be indexed")
        elif not uses.get(ref.key):
            lines.append(
                f"{name}: the statement does not filter, join, sort or group by its columns"
            )
    return lines


def served_lines(targets: Sequence[tuple[TableFacts, list[ColumnUse]]]) -> list[str]:
    """Columns an existing valid index already serves (they get no candidate)."""
    lines: list[str] = []
    for table, table_uses in targets:
        for key in btree_keys(table_uses, table.columns):
            spec = IndexSpec(table.name, table.schema, (key,))
            index = covering_index(spec, table.indexes)
            if index is not None:
                lines.append(
                    f"{label(spec)} on {_name(table.schema, table.name)}: already served by "
                    f"the existing index {index.name}"
                )
    return lines


def candidate_lines(selection: Selection, failed: Mapping[IndexSpec, str]) -> list[str]:
    """Every what-if candidate that was not chosen, with the reason."""
    lines = [
        f"{label(r.spec)} on {_name(r.spec.schema, r.spec.table)}: {r.reason}"
        for r in selection.tried
    ]
    lines += [
        f"{label(spec)} on {_name(spec.schema, spec.table)}: HypoPG could not simulate it "
        f"({message})"
        for spec, message in failed.items()
    ]
    if not selection.indexes:
        lines.append(f"nothing suggested: {selection.reason}")
    return lines
