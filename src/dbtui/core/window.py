"""A bounded window over a long result: which rows are held and which page to read next.

A viewer keeps at most :attr:`RowWindow.capacity` rows of a result (a
:class:`~dbtui.core.results.Stream`) in memory, whatever the size of the
result and wherever the user is in it. Pages are read at multiples of
:attr:`RowWindow.page_size`; a page read just below the window is appended
(rows drop off the top), one just above is prepended (rows drop off the
bottom), any other replaces the window (a jump, e.g. back to row 1).
Indexes are 0-based and absolute (row ``n`` of the result is index ``n - 1``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

WINDOW_PAGES = 4
"""Pages a window holds by default."""


@dataclass
class RowWindow(Generic[T]):
    """The rows held of a result: ``items`` are rows ``start`` to ``end - 1``.

    Attributes:
        page_size: Rows per page read from the stream.
        capacity: Most rows held at once (a multiple of ``page_size`` is best).
        start: Absolute index of ``items[0]``.
        items: The rows held, in order.
        total: The number of rows of the result, once its end was read.
    """

    page_size: int = 500
    capacity: int = 500 * WINDOW_PAGES
    start: int = 0
    items: list[T] = field(default_factory=list)
    total: int | None = None

    @property
    def end(self) -> int:
        """Absolute index just past the last row held."""
        return self.start + len(self.items)

    @property
    def more_below(self) -> bool:
        """True when rows after the window may exist."""
        return self.total is None or self.end < self.total

    def reset(self) -> None:
        """Hold nothing (a new result)."""
        self.start, self.items, self.total = 0, [], None

    def place(self, start: int, page: Sequence[T], asked: int) -> None:
        """Put ``page``, read from absolute index ``start``, into the window.

        ``asked`` is how many rows were asked for: a shorter page means the
        result ends there (:attr:`total` becomes known).
        """
        if len(page) < asked:
            self.total = start + len(page)
        stop = start + len(page)
        if self.items and self.start <= start <= self.end and stop > self.end:
            self.items.extend(page[self.end - start :])
            excess = len(self.items) - self.capacity
            if excess > 0:
                del self.items[:excess]
                self.start += excess
        elif self.items and start < self.start <= stop:
            self.items[:0] = page[: self.start - start]
            self.start = start
            del self.items[self.capacity :]
        elif not (self.items and self.start <= start and stop <= self.end):
            self.items, self.start = list(page), start

    def page_below(self) -> int | None:
        """Where the page after the window starts; ``None`` at the end of the result."""
        return self.end if self.more_below else None

    def page_above(self) -> int | None:
        """Where the page before the window starts; ``None`` at row 1."""
        if self.start <= 0:
            return None
        return max(0, self.start - self.page_size)

    def page_of(self, index: int) -> int:
        """Where the page holding absolute row ``index`` starts."""
        return max(0, index) // self.page_size * self.page_size

    def holds(self, index: int) -> bool:
        """True when absolute row ``index`` is in the window."""
        return self.start <= index < self.end

    def describe(self, noun: str = "rows") -> str:
        """What is held, for a status line: ``rows 90,001-92,000 of ≥ 92,000 in memory``."""
        if not self.items:
            return f"no {noun}" if self.total == 0 else f"no {noun} held"
        of = f"{self.total:,}" if self.total is not None else f"≥ {self.end:,}"
        return f"{noun} {self.start + 1:,}-{self.end:,} of {of} in memory"


@dataclass
class Tail(Generic[T]):
    """What :func:`read_tail` read: the last rows kept and how far the reading got.

    Attributes:
        start: Absolute index of ``items[0]``.
        items: The last rows read (at most the ``keep`` asked for), in order.
        total: The number of rows of the result when its end was reached, else ``None``
            (the reading was stopped first).
    """

    start: int
    items: list[T]
    total: int | None

    @property
    def end(self) -> int:
        """Absolute index just past the last row read."""
        return self.start + len(self.items)


def read_tail(
    fetch: Callable[[int], Sequence[T]],
    position: int,
    held: Sequence[T],
    *,
    keep: int,
    page_size: int,
    stop: Callable[[], bool],
    progress: Callable[[int], None],
) -> Tail[T]:
    """Read a result to its end (or until ``stop()``), keeping only the last ``keep`` rows.

    ``fetch(n)`` returns the next ``n`` rows (fewer at the end) starting at absolute index
    ``position``; ``held`` are the rows just before ``position`` already in memory (they
    are kept too while they fit). Memory stays bounded by ``keep`` rows however long the
    result: older rows drop off the front while the count goes on. ``progress`` is told
    the absolute index reached after each page; ``stop`` is asked before each page.
    Errors of ``fetch`` propagate.
    """
    kept: deque[T] = deque(held[-keep:] if keep else (), maxlen=keep)
    total: int | None = None
    while not stop():
        page = fetch(page_size)
        kept.extend(page)
        position += len(page)
        progress(position)
        if len(page) < page_size:
            total = position
            break
    return Tail(position - len(kept), list(kept), total)
