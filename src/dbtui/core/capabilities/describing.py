"""The :class:`Describing` capability: describe a catalog object like psql's ``\\d``."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from dbtui.core.catalog import CatalogNode
from dbtui.core.describe import Description


@runtime_checkable
class Describing(Protocol):
    """A driver that describes catalog objects: columns, keys both ways, triggers, size, DDL.

    :meth:`can_describe` is pure (the UI asks it on a key press); :meth:`describe` runs
    catalog queries and is called from a worker thread.
    """

    def can_describe(self, node: CatalogNode) -> bool:
        """True when :meth:`describe` has something to say about ``node``; no I/O.

        A member of an object (a column, an index, a folder under a table) may count:
        its object is described.
        """
        ...

    def describe(self, node: CatalogNode) -> Description:
        """The description of the object ``node`` stands for (or belongs to).

        Raises:
            QueryError: a catalog query failed, or the object no longer exists.
            ConnectionLostError: not connected.
        """
        ...
