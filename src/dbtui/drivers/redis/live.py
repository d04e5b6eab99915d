"""Commands that stream without end (MONITOR, SUBSCRIBE..., XREAD BLOCK) as live-pane requests.

The console answers one request with one reply, so these commands cannot
run there. :func:`live_request` recognises them from the words alone (no
network) and describes them as a :class:`LiveRequest`; the console raises
:class:`LiveCommand` carrying that request, and the UI opens a live pane
that runs it on a dedicated connection
(:class:`dbtui.drivers.redis.live_stream.LiveStream`).

Pure: nothing here talks to a server.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbtui.core.errors import QueryError, UnsupportedError
from dbtui.core.keytree import format_key, is_glob
from dbtui.core.live_feed import LiveEntry, LiveRequest
from dbtui.drivers.redis.commands import split_command_line

__all__ = [
    "LiveCommand",
    "LiveEntry",
    "LiveRequest",
    "live_request",
    "live_request_for_line",
    "monitor_entry",
    "pubsub_entry",
    "pubsub_request",
    "stream_entries",
]

#: Command names (lower case) that subscribe the connection to channels.
SUBSCRIBE_COMMANDS = {"subscribe": "channels", "psubscribe": "patterns", "ssubscribe": "shard"}


class LiveCommand(QueryError, UnsupportedError):
    """A command the console does not run because it needs a live pane.

    A :class:`QueryError` (title "Not a console command") so that code
    which only knows the core errors reports it as a refusal, and an
    :class:`UnsupportedError` of its own type so that the UI can catch it and
    open the live pane instead.

    Attributes:
        request: What to stream.
    """

    def __init__(self, request: LiveRequest, statement: str) -> None:
        super().__init__(
            f"{request.title} streams without end: it opens in a live pane, "
            "the console runs one request and one reply",
            "Not a console command",
            statement=statement,
        )
        self.request = request


def live_request(argv: Sequence[bytes]) -> LiveRequest | None:
    """The live request ``argv`` stands for, or ``None`` for an ordinary command.

    ``XREAD``/``XREADGROUP`` count only with ``BLOCK``; without it they read
    once and belong to the console.

    Raises:
        QueryError: a streaming command with unusable arguments (no channel,
            an odd number of stream keys and IDs...).
    """
    if not argv:
        return None
    name = argv[0].decode("utf-8", "replace").lower()
    args = tuple(argv[1:])
    if name == "monitor":
        if args:
            raise _invalid("MONITOR takes no arguments")
        return LiveRequest("monitor")
    if name in SUBSCRIBE_COMMANDS:
        if not args:
            raise _invalid(f"{name.upper()} needs at least one channel")
        if name == "psubscribe":
            return LiveRequest("pubsub", patterns=args)
        return LiveRequest("shard" if name == "ssubscribe" else "pubsub", channels=args)
    if name in ("xread", "xreadgroup"):
        return _xread(name, args)
    return None


def live_request_for_line(line: str) -> LiveRequest | None:
    """:func:`live_request` of a console line; ``None`` also when the line does not parse.

    For the UI's check before running a line: a line that does not parse is
    left to the console, which reports the problem where it is.
    """
    try:
        argv = split_command_line(line)
        return live_request(argv)
    except QueryError:
        return None


def pubsub_request(text: str) -> LiveRequest:
    """Channels and patterns typed in one line (redis-cli quoting): globs are patterns.

    An empty line subscribes to every channel (``PSUBSCRIBE *``).

    Raises:
        QueryError: unbalanced quotes.
    """
    words = split_command_line(text)
    channels = tuple(word for word in words if not is_glob(word))
    patterns = tuple(word for word in words if is_glob(word))
    if not words:
        patterns = (b"*",)
    return LiveRequest("pubsub", channels=channels, patterns=patterns)


def _invalid(message: str) -> QueryError:
    return QueryError(message, "Invalid command line")


def _xread(name: str, args: tuple[bytes, ...]) -> LiveRequest | None:
    """Parse ``XREAD``/``XREADGROUP`` options; ``None`` without ``BLOCK``."""
    upper = [arg.upper() for arg in args]
    start = 3 if name == "xreadgroup" else 0  # GROUP group consumer: names, not options
    options = upper[start:]
    if b"STREAMS" in options:
        options = options[: options.index(b"STREAMS")]
    if b"BLOCK" not in options:
        return None
    group: tuple[bytes, bytes] | None = None
    pos = 0
    if name == "xreadgroup":
        if len(args) < 3 or upper[0] != b"GROUP":
            raise _invalid("XREADGROUP needs GROUP group consumer first")
        group, pos = (args[1], args[2]), 3
    count: int | None = None
    noack = False
    while pos < len(args) and upper[pos] != b"STREAMS":
        option = upper[pos]
        if option in (b"COUNT", b"BLOCK") and pos + 1 < len(args):
            number = _number(args[pos + 1], option.decode())
            count = number if option == b"COUNT" else count
            pos += 2
        elif option == b"NOACK" and group is not None:
            noack, pos = True, pos + 1
        else:
            raise _invalid(f"{name.upper()}: unexpected {format_key(args[pos])}")
    rest = args[pos + 1 :]
    if pos >= len(args) or not rest or len(rest) % 2:
        raise _invalid(f"{name.upper()} needs STREAMS key [key ...] id [id ...]")
    half = len(rest) // 2
    return LiveRequest(
        "xread", streams=rest[:half], ids=rest[half:], group=group, count=count, noack=noack
    )


def _number(word: bytes, option: str) -> int:
    try:
        number = int(word)
    except ValueError:
        raise _invalid(f"{option} needs a whole number, not {format_key(word)}") from None
    if number < 0:
        raise _invalid(f"{option} cannot be negative")
    return number


def monitor_entry(line: bytes, node: str) -> LiveEntry:
    """Decode one MONITOR line: ``1700000000.123456 [0 127.0.0.1:5555] "SET" "k" "v"``.

    The arguments are quoted the way the server quotes them (``\\xHH`` for
    bytes that are not printable), so they come back as the exact bytes.
    A line that does not have this shape is kept whole as a status.
    """
    stamp, _, rest = line.partition(b" ")
    where, sep, words = rest.partition(b"] ")
    try:
        at = float(stamp)
        db, _, client = where.lstrip(b"[").partition(b" ")
        argv = split_command_line(words.decode("utf-8", "surrogateescape")) if sep else []
    except (ValueError, QueryError):
        return LiveEntry(0.0, "status", b"", (line,), node=node)
    return LiveEntry(at, "command", client, tuple(argv), ident=db, node=node)


def pubsub_entry(reply: object, at: float, node: str) -> LiveEntry | None:
    """A pushed pub/sub message (``message``, ``pmessage``, ``smessage``, confirmations).

    ``None`` for a reply that is not a pub/sub push (e.g. a PING's pong).
    """
    if not isinstance(reply, list) or len(reply) < 3 or not isinstance(reply[0], bytes):
        return None
    kind = reply[0].lower()
    parts = [part if isinstance(part, bytes) else str(part).encode() for part in reply]
    if kind in (b"message", b"smessage"):
        return LiveEntry(at, "message", parts[1], (parts[2],), node=node)
    if kind == b"pmessage" and len(parts) >= 4:
        return LiveEntry(at, "pmessage", parts[2], (parts[3],), pattern=parts[1], node=node)
    if kind.endswith(b"subscribe"):
        return LiveEntry(at, "status", parts[1], (kind, parts[2]), node=node)
    return None


def stream_entries(reply: object, at: float, node: str) -> list[LiveEntry]:
    """Entries of an XREAD/XREADGROUP reply (nil when the block timed out: no entries)."""
    entries: list[LiveEntry] = []
    if not isinstance(reply, list):
        return entries
    for item in reply:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], list)):
            continue
        key = item[0] if isinstance(item[0], bytes) else b""
        for entry in item[1]:
            if not (isinstance(entry, list) and len(entry) == 2):
                continue
            ident = entry[0] if isinstance(entry[0], bytes) else b""
            fields = entry[1] if isinstance(entry[1], list) else []  # nil: deleted meanwhile
            payload = tuple(f for f in fields if isinstance(f, bytes))
            entries.append(LiveEntry(at, "entry", key, payload, ident=ident, node=node))
    return entries
