"""Reading a result to its end in the background: "last row" (G, Ctrl+End) and "fetch all" (F).

The view starts a :class:`Reading`; :func:`read_job` runs in a thread worker, reads the
result's stream page after page with :func:`~dbtui.core.window.read_tail` (keeping only
the last :attr:`Reading.keep` rows: memory stays bounded however long the result) and
posts :class:`ReadProgress` (at most a few times a second) and, at the end, one
:class:`ReadDone`. Cancelling (Esc or Ctrl+C from any pane) sets :attr:`Reading.stop`:
the job stops after the page being read and the rows read so far are shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Event

from textual.message import Message

from dbtui.core.errors import DbtuiError
from dbtui.core.results import Result, Stream
from dbtui.core.window import Tail, read_tail

#: Rows asked of the stream per read while reading to the end.
READ_PAGE = 2_000
#: Most rows "fetch all" keeps in memory (and in the table): past it, the oldest rows are
#: let go while the count goes on, and the window holds the last ``FETCH_ALL_ROWS`` rows.
#: Bounded by the table too: Textual's DataTable takes about 0.1 ms a row to fill.
FETCH_ALL_ROWS = 10_000
#: Seconds between two progress messages.
PROGRESS_EVERY = 0.2


@dataclass
class Reading:
    """One background read to the end of a result.

    Attributes:
        kind: ``"last"`` (jump to the last row) or ``"all"`` (fetch all, up to the cap).
        keep: Most rows kept (the window's capacity afterwards).
        first: Absolute index the read started from, counting the rows held before.
        reached: Absolute index reached so far.
        stop: Set to cancel; the job stops after the page in flight.
    """

    kind: str
    keep: int
    first: int
    reached: int
    stop: Event = field(default_factory=Event)
    told: bool = False
    """The user was told (a notification) that the memory cap was reached."""

    @property
    def capped(self) -> bool:
        """More rows were read than are kept: the oldest were let go."""
        return self.reached - self.first > self.keep

    def line(self, noun: str) -> str:
        """The footer while reading: how far it got, the memory cap, how to cancel."""
        what = "to the last row" if self.kind == "last" else "fetching all"
        if self.stop.is_set():
            return f"{what}: stopping at {self.reached:,} {noun}…"
        cap = f" · last {self.keep:,} kept (memory cap)" if self.capped else ""
        return f"{what}: {self.reached:,} {noun} read · Esc stops{cap}"


@dataclass
class ReadProgress(Message):
    """A read to the end got this far (absolute index ``reached``)."""

    result: Result
    reached: int


@dataclass
class ReadDone(Message):
    """A read to the end finished: ``tail`` holds the last rows (``None`` after an error)."""

    result: Result
    tail: Tail[object] | None
    error: DbtuiError | None = None


def read_job(
    post: Callable[[Message], object],
    result: Result,
    stream: Stream[object],
    reading: Reading,
    held: list[object],
) -> None:
    """Read ``stream`` from its position to the end (thread worker); post progress and the end.

    ``post`` is the view's ``post_message`` (thread-safe); ``held`` are the rows just before
    the stream's position that the view holds (kept while they fit).
    """
    last = time.monotonic()

    def progress(reached: int) -> None:
        nonlocal last
        reading.reached = reached
        now = time.monotonic()
        if now - last >= PROGRESS_EVERY:
            last = now
            post(ReadProgress(result, reached))

    try:
        tail = read_tail(
            stream.fetch,
            stream.position,
            held,
            keep=reading.keep,
            page_size=READ_PAGE,
            stop=reading.stop.is_set,
            progress=progress,
        )
    except DbtuiError as error:
        post(ReadDone(result, None, error))
        return
    post(ReadDone(result, tail))
