"""Console help from the server itself: command names (``COMMAND LIST``) and ``COMMAND DOCS``.

Module commands appear exactly like built-in ones, because the server
describes both. Replies are RESP2 flat name/value arrays.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import redis

from dbtui.drivers.redis import raw


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _record(flat: object) -> dict[str, object]:
    items = flat if isinstance(flat, list) else []
    return {_text(k): v for k, v in zip(items[::2], items[1::2], strict=False)}


@dataclass(frozen=True)
class CommandHint:
    """What the console's inline hint shows for one command.

    Attributes:
        name: Upper-case name, ``CONFIG GET`` for a subcommand.
        summary: One-line description.
        since: Redis version that introduced it ("" when unknown).
        group: Command group ("hash", "server"...; module commands: "module").
        complexity: Time complexity text ("" when the server gives none).
        syntax: Arguments in redis-cli style, e.g. ``key field value [field value ...]``.
        subcommands: Names of the subcommands (upper case), empty for a plain command.
    """

    name: str
    summary: str
    since: str
    group: str
    complexity: str
    syntax: str
    subcommands: tuple[str, ...] = ()


def _argument(arg: object) -> str:
    """One COMMAND DOCS argument as redis-cli shows it."""
    rec = _record(arg)
    raw_flags = rec.get("flags")
    flags = {_text(f) for f in raw_flags} if isinstance(raw_flags, list) else set()
    kind = _text(rec.get("type", ""))
    if kind in {"block", "oneof"}:
        nested = rec.get("arguments")
        inner = [_argument(a) for a in nested] if isinstance(nested, list) else []
        text = (" | " if kind == "oneof" else " ").join(inner)
        if kind == "oneof" and "optional" not in flags:
            text = f"<{text}>"
    elif kind == "pure-token":
        text = _text(rec.get("token", rec.get("name", ""))) or '""'
    else:
        text = _text(rec.get("name", ""))
    token = _text(rec["token"]) if "token" in rec and kind != "pure-token" else ""
    if token and "multiple_token" in flags:
        text = f"{token} {text}"
        token = ""
    if "multiple" in flags:
        text = f"{text} [{text} ...]"
    if token:
        text = f"{token} {text}"
    return f"[{text}]" if "optional" in flags else text


def _hint(name: str, doc: object) -> CommandHint:
    rec = _record(doc)
    args = rec.get("arguments")
    subs = _record(rec.get("subcommands"))
    return CommandHint(
        name=name.replace("|", " ").upper(),
        summary=_text(rec.get("summary", "")),
        since=_text(rec.get("since", "")),
        group=_text(rec.get("group", "")),
        complexity=_text(rec.get("complexity", "")),
        syntax=" ".join(_argument(a) for a in args) if isinstance(args, list) else "",
        subcommands=tuple(sorted(s.split("|", 1)[-1].upper() for s in subs)),
    )


def command_names(client: redis.Redis) -> list[str]:
    """Every top-level command the server knows (``COMMAND LIST``, Redis 7+), upper case, sorted.

    Subcommands come from :attr:`CommandHint.subcommands` of their container.
    """
    reply = raw.call(client, b"COMMAND", b"LIST")
    names = (_text(n).upper() for n in reply) if isinstance(reply, list) else iter(())
    return sorted(n for n in names if "|" not in n)


def command_hint(client: redis.Redis, name: str) -> CommandHint | None:
    """The hint for ``name`` (``"hset"`` or ``"config|get"``); ``None`` for an unknown command."""
    reply = raw.call(client, b"COMMAND", b"DOCS", name.lower())
    docs = _record(reply)
    if not docs:
        return None
    full, doc = next(iter(docs.items()))
    if "|" in name:  # the server answers a subcommand inside its container's entry
        doc = _record(_record(doc).get("subcommands")).get(name.lower(), doc)
        full = name.lower()
    return _hint(full, doc)


def hint_text(hint: CommandHint) -> str:
    """The one-line help iredis shows while typing (plain text, not yet escaped).

    ``HSET key field value [field value ...] · since 2.0.0 · O(1) for each field/value
    pair added...``; a container lists its subcommands instead of a syntax.
    """
    syntax = hint.syntax or (f"<{' | '.join(hint.subcommands)}>" if hint.subcommands else "")
    parts = [f"{hint.name} {syntax}".rstrip()]
    if hint.since:
        parts.append(f"since {hint.since}")
    if hint.complexity:
        parts.append(hint.complexity)
    if hint.summary:
        parts.append(hint.summary)
    return " · ".join(parts)


def typed_command(line: str) -> tuple[str, str | None]:
    """The command word of a console line being typed, and the next word once complete.

    ``"config get max"`` -> ``("config", "get")``; ``"config ge"`` -> ``("config", None)``
    (the second word is still being typed). Lower case; ``("", None)`` for a blank line.
    """
    words = line.lstrip().split()
    if not words:
        return "", None
    second_done = len(words) > 2 or (len(words) == 2 and line[-1:].isspace())
    return words[0].lower(), (words[1].lower() if second_done else None)


class HintCache:
    """Command hints read once per name, for help shown as the user types.

    Args:
        fetch: Reads one hint (``"hset"``, ``"config|get"``) from the server, ``None``
            for an unknown command (:func:`command_hint`). Blocking: call
            :meth:`for_line` in a worker.
    """

    def __init__(self, fetch: Callable[[str], CommandHint | None]) -> None:
        self._fetch = fetch
        self._hints: dict[str, CommandHint | None] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> CommandHint | None:
        """The hint of ``name`` (lower case, ``container|sub`` for a subcommand)."""
        with self._lock:
            if name in self._hints:
                return self._hints[name]
        hint = self._fetch(name)
        with self._lock:
            self._hints[name] = hint
        return hint

    def for_line(self, line: str) -> CommandHint | None:
        """The hint for what ``line`` is typing: the subcommand's once its word is complete."""
        name, sub = typed_command(line)
        if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
            return None
        hint = self.get(name)
        if hint is None or sub is None or sub.upper() not in hint.subcommands:
            return hint
        return self.get(f"{name}|{sub}") or hint
