"""Console command lines: splitting, classification from the server's COMMAND INFO, safety.

Nothing here sends data commands. :class:`CommandTable` asks the server
``COMMAND INFO <name>`` once per command name (through a callable given to
it) and keeps the answer, so module commands are classified exactly like
built-in ones.

Read-only policy (:func:`read_only_refusal`): a command is allowed on a
read-only connection when the server flags it ``readonly`` and not ``write``
or ``may_replicate``; commands that touch no data (``PING``, ``INFO``,
``CONFIG GET``, ``SLOWLOG GET``, ``CLIENT LIST``...) carry neither flag and
are allowed only when listed in :data:`INSPECTION_COMMANDS`. Everything else,
including unknown commands and ``EVAL``/``FCALL`` (which the server does not
flag as writes), is refused before it is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dbtui.core.confirmation import Confirmation
from dbtui.core.errors import QueryError

_SIMPLE_ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "b": b"\b", "a": b"\a"}
_HEX = "0123456789abcdefABCDEF"

#: Commands (``name`` or ``name|subcommand``, lower case) that read no key data and change
#: nothing, yet carry no ``readonly`` flag; allowed on read-only connections.
INSPECTION_COMMANDS = frozenset(
    # A word list reads better than 60 quoted strings.
    """
    ping echo time lastsave select info role hello auth reset quit readonly asking
    multi exec discard watch unwatch
    command command|docs command|count command|getkeys command|getkeysandflags command|info
    command|list config|get slowlog|get slowlog|len
    client|list client|info client|id client|getname client|setname client|setinfo
    latency|latest latency|history latency|doctor latency|graph latency|histogram
    memory|stats memory|doctor memory|malloc-stats
    cluster|info cluster|nodes cluster|slots cluster|shards cluster|myid cluster|myshardid
    cluster|keyslot cluster|countkeysinslot cluster|getkeysinslot cluster|links
    acl|whoami acl|cat module|list function|list function|stats script|exists
    pubsub|channels pubsub|numsub pubsub|numpat pubsub|shardchannels pubsub|shardnumsub
    """.split()  # noqa: SIM905
)

#: Commands that turn the connection into a stream of pushed messages.
STREAMING_COMMANDS = frozenset(
    {"monitor", "subscribe", "psubscribe", "ssubscribe", "sync", "psync"}
)

LIVE_PANE_HINT = "it will get its own live pane; the console runs one request and one reply"


def split_command_line(line: str) -> list[bytes]:
    """Split a console line into arguments the way redis-cli does.

    Double quotes understand ``\\xHH``, ``\\n``, ``\\r``, ``\\t``, ``\\b``,
    ``\\a`` and ``\\<char>``; single quotes only ``\\'``. A closing quote must
    be followed by a space or the end of the line. Text is encoded as UTF-8.

    Raises:
        QueryError: unbalanced quotes or a quote directly followed by text.
    """
    args: list[bytes] = []
    pos, end = 0, len(line)
    while True:
        while pos < end and line[pos].isspace():
            pos += 1
        if pos >= end:
            return args
        arg, pos = _read_arg(line, pos)
        args.append(bytes(arg))


def _read_arg(line: str, pos: int) -> tuple[bytearray, int]:
    """Read one argument starting at ``pos``; returns it and the position after it."""
    arg = bytearray()
    end = len(line)
    while pos < end and not line[pos].isspace():
        char = line[pos]
        if char in "\"'":
            pos = _read_quoted(line, pos, arg)
            if pos < end and not line[pos].isspace():
                raise QueryError(
                    f"a closing quote must be followed by a space (column {pos + 1})",
                    "Invalid command line",
                    statement=line,
                    position=pos,
                )
        else:
            arg += char.encode("utf-8", errors="surrogateescape")
            pos += 1
    return arg, pos


def _read_quoted(line: str, pos: int, arg: bytearray) -> int:
    """Append the quoted text starting at ``line[pos]`` to ``arg``; return the position after it."""
    quote = line[pos]
    start = pos
    pos += 1
    end = len(line)
    while pos < end:
        char = line[pos]
        if char == quote:
            return pos + 1
        if char == "\\" and pos + 1 < end:
            nxt = line[pos + 1]
            if quote == "'":
                if nxt == "'":
                    arg += b"'"
                    pos += 2
                    continue
            elif nxt == "x" and pos + 3 < end and line[pos + 2] in _HEX and line[pos + 3] in _HEX:
                arg.append(int(line[pos + 2 : pos + 4], 16))
                pos += 4
                continue
            else:
                arg += _SIMPLE_ESCAPES.get(nxt) or nxt.encode("utf-8", errors="surrogateescape")
                pos += 2
                continue
        arg += char.encode("utf-8", errors="surrogateescape")
        pos += 1
    raise QueryError(
        f"unbalanced quotes (the quote at column {start + 1} is never closed)",
        "Invalid command line",
        statement=line,
        position=start,
    )


@dataclass(frozen=True)
class CommandSpec:
    """What the server says about one command (one entry of ``COMMAND INFO``).

    Attributes:
        name: Lower-case name, ``container|sub`` for a subcommand.
        arity: Argument count including the name; negative means "at least -arity".
        flags: Command flags (``readonly``, ``write``, ``blocking``, ``admin``...).
        categories: ACL categories without the ``@`` (``read``, ``dangerous``...).
        tips: Command tips (``request_policy:all_shards``...); empty before Redis 7.
        subcommands: Full names of the subcommands, empty for a plain command.
        first_key: Position of the first key argument (0 = the command takes no key).
        last_key: Position of the last key argument; negative counts from the end
            (``-1``: the last argument).
        key_step: Distance between key arguments (``MSET k v k v``: 2).
    """

    name: str
    arity: int
    flags: frozenset[str]
    categories: frozenset[str] = frozenset()
    tips: frozenset[str] = frozenset()
    subcommands: frozenset[str] = frozenset()
    first_key: int = 0
    last_key: int = 0
    key_step: int = 0

    @property
    def has_keys(self) -> bool:
        """True when some arguments may be key names (fixed positions or movable keys)."""
        return self.first_key > 0 or "movablekeys" in self.flags

    def takes_key_at(self, position: int) -> bool:
        """True when argument ``position`` (0 = the command name) is a key at a fixed position.

        A negative :attr:`last_key` is open-ended here (the line is still being typed);
        movable keys (``EVAL``, ``ZUNIONSTORE``...) are not known without the whole line.
        """
        first, last, step = self.first_key, self.last_key, self.key_step or 1
        if first <= 0 or position < first:
            return False
        if 0 <= last < position:
            return False
        return (position - first) % step == 0


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _texts(value: object) -> frozenset[str]:
    if not isinstance(value, list | tuple | set):
        return frozenset()
    return frozenset(_text(item).lower().lstrip("@") for item in value)


def _int_at(entry: list[object], index: int) -> int:
    value = entry[index] if len(entry) > index else 0
    return value if isinstance(value, int) else 0


def parse_command_info(entry: object) -> list[CommandSpec]:
    """Specs from one raw ``COMMAND INFO`` entry: the command and any subcommands.

    Returns an empty list for a nil entry (unknown command).
    """
    if not isinstance(entry, list) or len(entry) < 3:
        return []
    subs = entry[9] if len(entry) > 9 and isinstance(entry[9], list) else []
    sub_specs = [spec for sub in subs for spec in parse_command_info(sub)]
    arity = entry[1] if isinstance(entry[1], int) else 0
    spec = CommandSpec(
        name=_text(entry[0]).lower(),
        arity=arity,
        flags=_texts(entry[2]),
        categories=_texts(entry[6]) if len(entry) > 6 else frozenset(),
        tips=_texts(entry[7]) if len(entry) > 7 else frozenset(),
        subcommands=frozenset(s.name for s in sub_specs),
        first_key=_int_at(entry, 3),
        last_key=_int_at(entry, 4),
        key_step=_int_at(entry, 5),
    )
    return [spec, *sub_specs]


class CommandTable:
    """COMMAND INFO answers, fetched on first use and cached per command name.

    Args:
        fetch: Sends ``COMMAND INFO <name>`` and returns the raw reply (a list
            with one entry, nil for an unknown command).
    """

    def __init__(self, fetch: Callable[[str], object]) -> None:
        self._fetch = fetch
        self._specs: dict[str, CommandSpec | None] = {}

    def _lookup(self, name: str) -> CommandSpec | None:
        if name not in self._specs:
            reply = self._fetch(name)
            entries = reply if isinstance(reply, list) else []
            specs = [spec for entry in entries for spec in parse_command_info(entry)]
            for spec in specs:
                self._specs[spec.name] = spec
            self._specs.setdefault(name, None)
        return self._specs[name]

    def spec(self, argv: Sequence[bytes]) -> CommandSpec | None:
        """The spec of the command ``argv`` runs (its subcommand when it has one).

        ``None`` when the server does not know the command.
        """
        if not argv:
            return None
        name = _text(argv[0]).lower()
        spec = self._lookup(name)
        if spec is None or not spec.subcommands or len(argv) < 2:
            return spec
        full = f"{name}|{_text(argv[1]).lower()}"
        return self._lookup(full) if full in spec.subcommands else spec


def typed_arguments(line: str) -> tuple[list[bytes], int] | None:
    """The arguments of a line being typed, and where its last (unfinished) one starts.

    ``"GET us"`` -> ``([b"GET", b"us"], 4)``; ``"GET "`` -> ``([b"GET", b""], 4)``; an
    unclosed quote in the last argument is closed for the purpose (``GET "us``).
    ``None`` when the line cannot be split.
    """
    start = len(line) if not line or line[-1].isspace() else _last_word_start(line)
    word = line[start:]
    try:
        argv = split_command_line(line[:start])
    except QueryError:
        return None
    for closing in ("", word[:1]):
        try:
            last = split_command_line(word + closing) if word else []
        except QueryError:
            continue
        return [*argv, *(last[:1] or [b""])], start
    return None


def _last_word_start(line: str) -> int:
    """Where the last argument of ``line`` starts (a quoted one may hold spaces)."""
    pos, start = 0, 0
    while pos < len(line):
        while pos < len(line) and line[pos].isspace():
            pos += 1
        start = pos
        try:
            _, pos = _read_arg(line, pos)
        except QueryError:
            return start
    return start


_PLAIN_ARGUMENT = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-.@/{}#+=,;!%&*<>()|~^$"
)
"""Bytes a key name may hold and still be typed bare."""


def quote_argument(value: bytes) -> str:
    """``value`` as it must be typed on a console line (redis-cli quoting).

    Bare when it holds only plain printable ASCII; else double-quoted, with quotes,
    backslashes and every byte outside printable ASCII as ``\\xHH`` (so ESC, NUL,
    bidi controls and markup are inert text that :func:`split_command_line` reads back).
    """
    if value and all(c in _PLAIN_ARGUMENT for c in value):
        return value.decode("ascii")
    try:
        chars = value.decode("utf-8")
    except UnicodeDecodeError:
        chars = value.decode("latin-1")  # one char per byte: each escaped below
        return '"' + "".join(_quoted_char(c, ascii_only=True) for c in chars) + '"'
    return '"' + "".join(_quoted_char(c, ascii_only=False) for c in chars) + '"'


def _quoted_char(char: str, *, ascii_only: bool) -> str:
    """One character inside double quotes: printable as is, anything else as ``\\xHH``."""
    if char in '"\\':
        return "\\" + char
    if (" " <= char < "\x7f") or (not ascii_only and char > "\x7f" and char.isprintable()):
        return char
    raw = char.encode("latin-1") if ascii_only else char.encode("utf-8")
    return "".join(f"\\x{byte:02x}" for byte in raw)


def command_name(argv: Sequence[bytes]) -> str:
    """Upper-case name of ``argv``'s command, for messages."""
    return _text(argv[0]).upper() if argv else ""


def read_only_refusal(argv: Sequence[bytes], spec: CommandSpec | None) -> str | None:
    """Why ``argv`` may not run on a read-only connection, or ``None`` when it may."""
    name = command_name(argv)
    if spec is None:
        return f"{name} is not a command this server knows, so it cannot be checked as read-only"
    if spec.flags & {"write", "may_replicate"}:
        return f"{name} writes (the server flags {spec.name!r} as a write)"
    if "readonly" in spec.flags or spec.name in INSPECTION_COMMANDS:
        return None
    return f"the server does not flag {spec.name!r} as read-only"


def console_refusal(argv: Sequence[bytes], spec: CommandSpec | None) -> str | None:
    """Why ``argv`` cannot run in the one-reply console (blocking or streaming), or ``None``."""
    name = command_name(argv)
    lower = name.lower()
    upper_args = [a.upper() for a in argv[1:]]
    if lower in STREAMING_COMMANDS:
        return f"{name} streams messages without end: {LIVE_PANE_HINT}"
    if lower in {"xread", "xreadgroup"}:
        if b"BLOCK" in upper_args:
            return f"{name} BLOCK waits for new entries: {LIVE_PANE_HINT} (drop BLOCK to read now)"
        return None
    if spec is not None and "blocking" in spec.flags:
        return f"{name} blocks until data arrives: {LIVE_PANE_HINT}"
    if lower == "hello" and upper_args[:1] == [b"3"]:
        return "HELLO 3 would switch the console to RESP3; the console speaks RESP2"
    if lower in {"wait", "waitaof"} and argv[-1:] == [b"0"]:
        return f"{name} with timeout 0 waits forever: give it a timeout in milliseconds"
    return None


_ALWAYS_DANGEROUS = {
    "flushall": "FLUSHALL deletes every key in every database of the server",
    "flushdb": "FLUSHDB deletes every key in the current database",
    "keys": "KEYS walks the whole keyspace in one call and blocks the server meanwhile; "
    "the key browser uses SCAN instead",
    "shutdown": "SHUTDOWN stops the server",
    "debug": "DEBUG can crash, stall or corrupt the server",
    "swapdb": "SWAPDB exchanges two whole databases",
    "migrate": "MIGRATE moves keys to another server (and may replace them there)",
    "replicaof": "REPLICAOF turns this server into a replica and discards its data",
    "slaveof": "SLAVEOF turns this server into a replica and discards its data",
    "failover": "FAILOVER hands the primary role to a replica",
    "save": "SAVE blocks the server while it writes the whole dataset to disk",
    "rename": "RENAME overwrites the target key if it exists",
}
_DANGEROUS_SUBCOMMANDS = {
    ("config", "set"): "CONFIG SET changes the server configuration",
    ("config", "rewrite"): "CONFIG REWRITE rewrites the server's configuration file",
    ("config", "resetstat"): "CONFIG RESETSTAT resets the server statistics",
    ("script", "flush"): "SCRIPT FLUSH empties the script cache",
    ("function", "flush"): "FUNCTION FLUSH deletes every library",
    ("function", "delete"): "FUNCTION DELETE removes a library",
    ("client", "kill"): "CLIENT KILL disconnects other clients",
    ("client", "pause"): "CLIENT PAUSE suspends every client",
    ("acl", "setuser"): "ACL SETUSER changes a user's permissions",
    ("acl", "deluser"): "ACL DELUSER deletes users",
    ("module", "load"): "MODULE LOAD loads code into the server",
    ("module", "unload"): "MODULE UNLOAD removes a module",
    ("slowlog", "reset"): "SLOWLOG RESET discards the slow log",
}


def is_dangerous(argv: Sequence[bytes]) -> str | None:
    """Why ``argv`` deserves a confirmation (a one-line reason), or ``None``.

    Pure: decides from the words alone (see :meth:`RedisDriver.needs_confirmation`
    for the check that also looks at collection sizes).
    """
    if not argv:
        return None
    lower = _text(argv[0]).lower()
    if lower in _ALWAYS_DANGEROUS:
        return _ALWAYS_DANGEROUS[lower]
    if lower in {"del", "unlink"}:
        count = len(argv) - 1
        return f"{lower.upper()} deletes {count} key{'s' if count != 1 else ''}"
    if lower == "cluster" and len(argv) > 1:
        sub = _text(argv[1]).lower()
        if sub not in {c.split("|")[1] for c in INSPECTION_COMMANDS if c.startswith("cluster|")}:
            return f"CLUSTER {sub.upper()} changes the cluster topology or state"
    if len(argv) > 1:
        return _DANGEROUS_SUBCOMMANDS.get((lower, _text(argv[1]).lower()))
    return None


_WIPES = frozenset({"flushall", "flushdb", "swapdb"})
"""Commands that wipe whole databases: confirmed by typing the command's name."""


def typed_confirmation(argv: Sequence[bytes]) -> str | None:
    """The text the user must type before ``argv`` runs, or ``None`` (pure).

    ``FLUSHALL``, ``FLUSHDB``, ``SWAPDB``, ``FUNCTION FLUSH`` and ``REPLICAOF`` /
    ``SLAVEOF`` *host port* (which discards the data; not ``NO ONE``): the command
    in capitals. ``DEL`` / ``UNLINK`` of several keys: their number (``"3"``).
    """
    if not argv:
        return None
    lower = _text(argv[0]).lower()
    second = _text(argv[1]).lower() if len(argv) > 1 else ""
    if lower in _WIPES:
        return lower.upper()
    if lower in {"replicaof", "slaveof"} and second != "no":
        return lower.upper()
    if (lower, second) == ("function", "flush"):
        return "FUNCTION FLUSH"
    if lower in {"del", "unlink"} and len(argv) > 2:
        return str(len(argv) - 1)
    return None


def dangerous_confirmation(argv: Sequence[bytes]) -> Confirmation | None:
    """:func:`is_dangerous` as a confirmation, with :func:`typed_confirmation`'s text (pure)."""
    reason = is_dangerous(argv)
    if reason is None:
        return None
    typed = typed_confirmation(argv)
    return Confirmation(f"{reason}. Run it?", typed=typed, yes_label="Run it" if typed else "Yes")
