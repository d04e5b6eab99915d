"""Pure helpers of the live pane: one log line per entry, and the message rate.

No Textual and no I/O here: testable with plain values.
"""

from __future__ import annotations

import time
from collections import deque

from rich.text import Text

from dbtui.core.display import display_bytes, display_text
from dbtui.core.keytree import format_key
from dbtui.core.live_feed import LiveEntry
from dbtui.ui.key_browser.formatting import printable
from dbtui.ui.safe import safe_text

LINE_CHARS = 2000
"""Characters of one log line at most (a huge payload is cut, with an ellipsis)."""
RATE_WINDOW_S = 5.0
"""Seconds over which the rate is averaged."""


def clock(at: float) -> str:
    """``14:03:27.512`` (local time) of a timestamp in seconds since the epoch."""
    if at <= 0:
        return "--:--:--.---"
    millis = int((at % 1) * 1000)
    return time.strftime("%H:%M:%S", time.localtime(at)) + f".{millis:03d}"


def quoted(word: bytes) -> str:
    """One argument as redis-cli shows it: escaped, in quotes when empty or holding spaces."""
    text = printable(word)
    if not text or any(char in text for char in ' "'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def live_line(entry: LiveEntry, *, show_node: bool = False) -> Text:
    """The log line of one entry: time, where it came from, then the payload (escaped)."""
    line = safe_text(clock(entry.at), style="dim")
    if show_node and entry.node:
        line.append(f" {display_text(entry.node)}", style="dim")
    line.append(" ")
    if entry.kind in ("message", "pmessage"):
        line.append(format_key(entry.source), style="bold cyan")
        if entry.pattern is not None:
            line.append(f" ({format_key(entry.pattern)})", style="cyan")
        line.append("  " + display_text(" ".join(printable(part) for part in entry.payload)))
    elif entry.kind == "command":
        line.append(f"db{display_bytes(entry.ident)} ", style="dim")
        line.append(display_bytes(entry.source), style="magenta")
        words = [quoted(word) for word in entry.payload]
        if words:
            line.append("  " + display_text(words[0]), style="bold")
            line.append(" " + display_text(" ".join(words[1:])) if len(words) > 1 else "")
    elif entry.kind == "entry":
        line.append(format_key(entry.source), style="bold cyan")
        line.append(f" {display_bytes(entry.ident)}", style="yellow")
        pairs = zip(entry.payload[::2], entry.payload[1::2], strict=False)
        line.append(
            "  " + display_text("  ".join(f"{printable(f)}={printable(v)}" for f, v in pairs))
        )
    else:
        line.append(display_text(status_text(entry)), style="dim italic")
    if len(line) > LINE_CHARS:
        line.truncate(LINE_CHARS - 1)
        line.append("…")
    return line


def status_text(entry: LiveEntry) -> str:
    """A subscription confirmation in words (``subscribed to news (2 subscriptions)``)."""
    kind = entry.payload[0].decode("ascii", "replace") if entry.payload else ""
    if kind.endswith("subscribe") and len(entry.payload) > 1:
        verb = "stopped listening to" if kind.endswith("unsubscribe") else "listening to"
        what = "pattern" if kind.startswith("p") else "channel"
        count = entry.payload[1].decode("ascii", "replace")
        return f"{verb} {what} {format_key(entry.source)} ({count} active)"
    return " ".join(printable(part) for part in entry.payload)


class Rate:
    """Entries per second over the last :data:`RATE_WINDOW_S` seconds.

    Args:
        now: Monotonic seconds when counting started.
    """

    def __init__(self, now: float) -> None:
        self.started = now
        self._batches: deque[tuple[float, int]] = deque()

    def add(self, now: float, count: int) -> None:
        """Record ``count`` entries received at ``now`` (monotonic seconds)."""
        self._batches.append((now, count))

    def per_second(self, now: float) -> float:
        """The average rate over the window (shorter while the pane is young)."""
        while self._batches and self._batches[0][0] < now - RATE_WINDOW_S:
            self._batches.popleft()
        span = min(RATE_WINDOW_S, max(now - self.started, 1.0))
        return sum(count for _, count in self._batches) / span
