"""Query history per connection, stored as JSON lines in the user data directory.

One file per connection: ``<data dir>/history/<safe name>.jsonl``, one JSON
object per line, oldest first::

    {"time": "2025-01-31T09:15:02.125000+00:00", "duration_ms": 12.5,
     "statement": "SELECT ...", "ok": true, "error": null}

Nothing secret is written: the file is named after :func:`connection_key`
(a hash of the connection's non-secret identity), and statements and error texts pass through
:func:`~dbtui.core.redact.redact_statement` first. Appends are single
``write`` calls in append mode, so two dbtui processes can share a file; a
line cut short by a crash is skipped when reading. The file is trimmed to
the newest ``max_entries`` lines when it is loaded with more, or has grown a
fifth beyond the bound through appends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from dbtui.core import paths
from dbtui.core.redact import redact_statement
from dbtui.core.spec import ConnectionSpec, url_facts

DEFAULT_MAX_ENTRIES = 5000
"""Entries kept per connection; older ones are dropped at compaction."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_WORD = re.compile(r"\w+")


def connection_key(spec: ConnectionSpec) -> str:
    """The non-secret identity of a connection, hashed: ``<engine>-<24 hex digits>``.

    Hashed from what the engine's own parser reads in the URL (see
    :func:`~dbtui.core.spec.url_facts`): engine, user, hosts and ports, database, and
    the short label (``service=...``), never the password, so a connection opened with a
    password (typed, in the URL, or from ``password_env``) shares its history and buffers
    with the same URL opened without one. A URL without such a parse (SQLite paths, URLs
    that did not parse cleanly) is identified by its masked form. Never the raw URL: a
    hash of a secret could be tested against guesses.

    Files named by the previous scheme (a slug of the URL with the password cut out by
    ``urlsplit``) are renamed to the new names the first time a key is computed in a
    process, when no file of the new name exists yet (see :func:`migrate_legacy_files`).
    """
    facts = url_facts(spec.url)
    if facts.clean and facts.label:
        identity: list[object] = [
            spec.engine,
            facts.user or "",
            list(facts.hosts),
            facts.database or "",
            facts.label,
        ]
    else:
        identity = [spec.engine, facts.masked]
    digest = hashlib.sha256(json.dumps(identity).encode("utf-8")).hexdigest()[:24]
    key = f"{spec.engine}-{digest}"
    done = (str(paths.data_dir()), key)
    if done not in _MIGRATED:
        _MIGRATED.add(done)
        migrate_legacy_files(spec.url, key)
    return key


_KEY_FORMAT = re.compile(r"^[a-z][a-z0-9_]*-[0-9a-f]{24}$")
_MIGRATED: set[tuple[str, str]] = set()


def safe_file_name(key: str) -> str:
    """A file name for ``key``: a readable slug plus a hash, so distinct keys never collide.

    A key made by :func:`connection_key` is already a safe name and is used as it is.
    """
    if _KEY_FORMAT.match(key):
        return key
    slug = _UNSAFE.sub("_", key).strip("._")[:48] or "connection"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    return f"{slug}-{digest}"


def migrate_legacy_files(url: str, key: str) -> None:
    """Rename the history file and buffer directory named by the old scheme to ``key``'s.

    The old name was :func:`safe_file_name` of the URL masked with ``urlsplit`` (which let
    passwords holding ``#``, ``?`` or ``/`` through): renaming also removes such a password
    from the file system's names. Nothing happens when the new name already exists or the
    old one does not; errors are ignored (the files stay where they were).
    """
    old = safe_file_name(_legacy_key(url))
    new = safe_file_name(key)
    with contextlib.suppress(OSError):
        base = paths.data_dir()
        for old_path, new_path in (
            (base / "history" / f"{old}.jsonl", base / "history" / f"{new}.jsonl"),
            (base / "buffers" / old, base / "buffers" / new),
        ):
            if old != new and old_path.exists() and not new_path.exists():
                os.replace(old_path, new_path)


def _legacy_key(url: str) -> str:
    """The connection key of dbtui before 2026-12 (kept only to find old files)."""
    masked = re.sub(r"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&;]+)", r"\1***", url)
    if re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", masked):
        try:
            parts = urlsplit(masked)
            if parts.password is not None:
                userinfo, _, hosts = parts.netloc.rpartition("@")
                user = userinfo.split(":", 1)[0]
                masked = urlunsplit(parts._replace(netloc=f"{user}:***@{hosts}"))
        except ValueError:
            masked = re.sub(r"(://[^/@:]*:)[^@/]*@", r"\1***@", masked)
    return masked.replace(":***@", "@", 1)


@dataclass(frozen=True)
class HistoryEntry:
    """One statement that was run.

    Attributes:
        time: When it started (timezone-aware, UTC).
        statement: The statement text, secrets redacted.
        duration_ms: How long it ran, in milliseconds; ``None`` when unknown.
        ok: False when it failed.
        error: The one-line error message when it failed.
    """

    time: dt.datetime
    statement: str
    duration_ms: float | None = None
    ok: bool = True
    error: str | None = None

    def to_json(self) -> str:
        """The entry as one JSON line (no trailing newline)."""
        record = {
            "time": self.time.isoformat(),
            "duration_ms": self.duration_ms,
            "statement": self.statement,
            "ok": self.ok,
            "error": self.error,
        }
        return json.dumps(record, ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> HistoryEntry | None:
        """Parse one line; ``None`` for anything that is not a well-formed entry."""
        try:
            record = json.loads(line)
            time = dt.datetime.fromisoformat(record["time"])
            statement = record["statement"]
            duration = record.get("duration_ms")
            error = record.get("error")
        except (ValueError, KeyError, TypeError):
            return None
        valid = (
            isinstance(statement, str)
            and (duration is None or isinstance(duration, int | float))
            and (error is None or isinstance(error, str))
            and time.tzinfo is not None
        )
        if not valid:
            return None
        return cls(time, statement, duration, bool(record.get("ok", True)), error)


class History:
    """The history file of one connection.

    Args:
        connection_key: From :func:`connection_key`; never a raw URL with a password.
        directory: Where history files live; default ``<data dir>/history``.
        max_entries: How many entries to keep.
    """

    def __init__(
        self,
        connection_key: str,
        *,
        directory: Path | None = None,
        max_entries: int = DEFAULT_MAX_ENTRIES,
    ) -> None:
        base = directory if directory is not None else paths.data_dir() / "history"
        self.path = base / f"{safe_file_name(connection_key)}.jsonl"
        self.max_entries = max_entries
        self._lines: int | None = None

    def append(
        self,
        statement: str,
        *,
        duration_ms: float | None = None,
        ok: bool = True,
        error: str | None = None,
        when: dt.datetime | None = None,
    ) -> HistoryEntry | None:
        """Record a statement (redacted); ``None`` and nothing written for a blank one.

        Args:
            statement: The text that was run.
            duration_ms: Its run time in milliseconds.
            ok: False when it failed; ``error`` then says why (one line).
            when: When it started; default now.
        """
        if not statement.strip():
            return None
        text = statement.strip()
        redacted = redact_statement(text)
        if error is not None:  # an error that quotes the statement quotes the redacted one
            error = redact_statement(error.replace(text, redacted))
        entry = HistoryEntry(
            time=(when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC),
            statement=redacted,
            duration_ms=duration_ms,
            ok=ok,
            error=error,
        )
        self._write_line(entry.to_json())
        if self._lines is not None:
            self._lines += 1
            if self._lines > self.max_entries * 1.2:
                self.compact()
        return entry

    def _write_line(self, line: str) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        data = (line + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size:
                # A crash may have left a partial last line: start on a fresh one.
                os.lseek(fd, size - 1, os.SEEK_SET)
                if os.read(fd, 1) != b"\n":
                    data = b"\n" + data
            os.write(fd, data)  # O_APPEND: one write lands whole at the end
        finally:
            os.close(fd)

    def load(self) -> list[HistoryEntry]:
        """Every readable entry, oldest first (at most ``max_entries``).

        Corrupt lines are skipped. A file longer than the bound is compacted.
        """
        entries, lines = self._read()
        self._lines = lines
        if lines > self.max_entries:
            entries = entries[-self.max_entries :]
            self._rewrite(entries)
        return entries

    def _read(self) -> tuple[list[HistoryEntry], int]:
        try:
            with self.path.open("r", encoding="utf-8", errors="replace") as handle:
                raw = handle.read().splitlines()
        except FileNotFoundError:
            return [], 0
        entries = [e for e in (HistoryEntry.from_json(line) for line in raw) if e is not None]
        return entries, len(raw)

    def compact(self) -> None:
        """Keep only the newest ``max_entries`` readable entries (drops corrupt lines too)."""
        entries, _ = self._read()
        self._rewrite(entries[-self.max_entries :])

    def _rewrite(self, entries: Iterable[HistoryEntry]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".history.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                count = 0
                for entry in entries:
                    out.write(entry.to_json() + "\n")
                    count += 1
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        self._lines = count

    def search(self, query: str, *, limit: int | None = 200) -> list[HistoryEntry]:
        """Entries matching ``query``, best first, each statement once (its newest run).

        Case-insensitive. Tiers, each newest first: the whole query as a
        substring; every word of the query as a substring; every query word
        "fuzzily" inside one word of the statement (same first letter, the
        rest in order: ``slct`` finds ``SELECT``, ``usrs`` finds ``users``).
        An empty query lists everything, newest first.
        """
        needle = query.casefold().strip()
        words = needle.split()
        tiers: list[list[HistoryEntry]] = [[], [], []]
        seen: set[str] = set()
        for entry in reversed(self.load()):
            if entry.statement in seen:
                continue
            tier = match_tier(needle, words, entry.statement)
            if tier is not None:
                seen.add(entry.statement)
                tiers[tier].append(entry)
        found = [entry for tier in tiers for entry in tier]
        return found if limit is None else found[:limit]


def match_tier(needle: str, words: list[str], statement: str) -> int | None:
    """0, 1 or 2 for how well ``statement`` matches (see :meth:`History.search`), else ``None``.

    ``needle`` is the case-folded, stripped query and ``words`` its split.
    """
    text = statement.casefold()
    if needle in text:
        return 0
    if all(word in text for word in words):
        return 1
    statement_words = set(_WORD.findall(text))
    if all(any(_fuzzy(word, candidate) for candidate in statement_words) for word in words):
        return 2
    return None


def _fuzzy(word: str, candidate: str) -> bool:
    """``word`` starts like ``candidate`` and its letters appear in it in order."""
    if not word or not candidate or word[0] != candidate[0] or len(word) > len(candidate):
        return False
    position = 0
    for ch in word:
        position = candidate.find(ch, position) + 1
        if position == 0:
            return False
    return True
