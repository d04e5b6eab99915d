"""FakeDB: a Driver over an in-memory dict of tables (``{table: [row, ...]}``).

``SELECT * FROM <table>`` returns the rows of one table; nothing else is understood.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from dbtui.core.catalog import CatalogNode
from dbtui.core.driver import Driver
from dbtui.core.errors import QueryError
from dbtui.core.results import Column, Result, RowsResult, Stream

TABLES: dict[str, list[tuple[object, ...]]] = {
    "fake_planets": [("mercury", 1), ("venus", 2)],
    "fake_moons": [("luna", 3)],
}


class FakeDriver(Driver):
    """Tables and rows from :data:`TABLES`; connects to nothing."""

    engine: ClassVar[str] = "fakedb"
    display_name: ClassVar[str] = "FakeDB"

    def connect(self) -> None:
        """Nothing to open."""

    def close(self) -> None:
        """Nothing to release."""

    def children(self, node: CatalogNode | None) -> Sequence[CatalogNode]:
        """The tables at the top level; nothing below them."""
        if node is not None:
            return []
        return [CatalogNode(key=(name,), label=name, kind="table") for name in sorted(TABLES)]

    def execute(self, statement: str) -> Iterator[Result]:
        """``SELECT * FROM <table>``: its rows under columns ``name`` and ``n``."""
        table = statement.strip().rstrip(";").split()[-1]
        if table not in TABLES:
            raise QueryError(f"no table {table!r}")
        columns = (Column("name", "text"), Column("n", "int"))
        yield RowsResult(statement, columns, Stream(iter(TABLES[table])))
