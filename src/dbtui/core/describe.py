"""An object described the way psql's ``\\d`` does: facts, sections of rows, and its DDL.

Engine-neutral and without I/O: a driver that implements
:class:`~dbtui.core.capabilities.describing.Describing` fills a :class:`Description`
from its catalog, and the UI shows it (every string in it may be hostile server text:
the UI escapes it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One titled table of a description: "Columns", "Indexes", "Referenced by"...

    Attributes:
        title: What the rows are.
        headers: The column headings.
        rows: The rows, each as long as ``headers`` (``""`` for nothing).
    """

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Description:
    """Everything shown for one object on one screen.

    Attributes:
        title: The object's kind and qualified name (``table public.orders``).
        facts: ``(name, value)`` pairs: owner, sizes, row estimate, comment...
        sections: The tables of rows, in display order; empty ones are left out.
        ddl: SQL that creates the object (may be several statements), or ``""`` when
            the engine cannot give it.
        notes: Anything the user should know about what is shown or missing.
    """

    title: str
    facts: tuple[tuple[str, str], ...] = ()
    sections: tuple[Section, ...] = ()
    ddl: str = ""
    notes: tuple[str, ...] = ()

    def section(self, title: str) -> Section | None:
        """The section called ``title``, or ``None``."""
        return next((s for s in self.sections if s.title == title), None)


def cell(value: object) -> str:
    """A catalog value as section text: ``None`` is ``""``, booleans ``yes``/``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    return str(value)


def section(title: str, headers: Iterable[str], rows: Iterable[Iterable[object]]) -> Section:
    """A :class:`Section` with every value passed through :func:`cell`."""
    return Section(title, tuple(headers), tuple(tuple(cell(v) for v in row) for row in rows))


def facts(pairs: Iterable[tuple[str, object]]) -> tuple[tuple[str, str], ...]:
    """``(name, value)`` pairs without the empty ones, values as text."""
    return tuple((name, cell(value)) for name, value in pairs if cell(value) != "")


def non_empty(*sections: Section) -> tuple[Section, ...]:
    """The sections that have rows."""
    return tuple(s for s in sections if s.rows)
