"""``sqlite://`` URLs turned into what :func:`sqlite3.connect` needs.

Accepted forms (the path is everything between ``sqlite://`` and ``?``)::

    sqlite:///abs/path.db        absolute path
    sqlite://relative/path.db    relative to the current directory
    sqlite://~/notes.db          home directory expanded
    sqlite://:memory:            a private in-memory database
    sqlite:///path.db?mode=rwc   query parameters are SQLite URI parameters

The path is taken literally (no percent-decoding), because people type file
names, not URL-encoded paths. Query parameters go to SQLite as URI parameters
(``mode``, ``cache``, ``immutable``, ``nolock``, ``vfs``...).

Opening a file that does not exist does NOT create it: a typo in a path would
otherwise silently give an empty database. ``?mode=rwc`` asks for creation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from dbtui.core.errors import ConnectError
from dbtui.core.urlmask import ParsedUrl

MEMORY = ":memory:"
READ_ONLY_MODES = frozenset({"ro"})


@dataclass(frozen=True)
class SqliteTarget:
    """A parsed ``sqlite://`` URL.

    Attributes:
        path: File path as given (``~`` expanded), or ``":memory:"``.
        params: SQLite URI parameters in the order given, ``mode`` included.
    """

    path: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def is_memory(self) -> bool:
        """True for a private in-memory database."""
        return self.path == MEMORY or self.param("mode") == "memory"

    @property
    def read_only(self) -> bool:
        """True when the URL itself asks for a read-only database."""
        return self.param("mode") in READ_ONLY_MODES or self.param("immutable") == "1"

    def param(self, key: str) -> str | None:
        """The last value of URI parameter ``key``, or ``None``."""
        value = None
        for name, given in self.params:
            if name == key:
                value = given
        return value

    def uri(self, *, read_only: bool) -> str:
        """The ``file:`` URI to open; ``read_only`` forces ``mode=ro``.

        A file path without an explicit ``mode`` opens with ``mode=rw``, so
        SQLite never creates it.
        """
        params = [(key, value) for key, value in self.params if key != "mode"]
        mode = "ro" if read_only else self.param("mode")
        if mode is None and not self.is_memory:
            mode = "rw"
        if mode is not None:
            params.append(("mode", mode))
        query = f"?{urlencode(params)}" if params else ""
        quoted = quote(self.path, safe="/:~")
        # An absolute path gets an empty authority ("file:///abs"), so that a path
        # starting with "//" can never be read as a host name.
        prefix = "file://" if quoted.startswith("/") else "file:"
        return f"{prefix}{quoted}{query}"


def parse_sqlite_url(url: str) -> SqliteTarget:
    """Parse a ``sqlite://`` URL (see the module docstring).

    Raises:
        ConnectError: the URL has another scheme or no path.
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() != "sqlite":
        raise ConnectError(f"not a sqlite:// URL: {url!r}")
    path, _, query = rest.partition("?")
    if path in ("", "/"):
        raise ConnectError(
            f"no database file in {url!r}; expected sqlite:///abs/path.db, "
            "sqlite://relative.db or sqlite://:memory:"
        )
    if path == "/" + MEMORY:
        path = MEMORY
    if path != MEMORY:
        path = os.path.expanduser(path)
    params = tuple(parse_qsl(query, keep_blank_values=True))
    return SqliteTarget(path=path, params=params)


def check_exists(target: SqliteTarget, *, read_only: bool) -> None:
    """Refuse to open a missing file unless the URL asked for creation.

    Raises:
        ConnectError: the file does not exist (and ``mode=rwc`` was not given,
            or the connection is read-only), or the path is a directory.
    """
    if target.is_memory:
        return
    path = Path(target.path)
    try:
        if path.is_dir():
            raise ConnectError(f"{_short(target.path)} is a directory, not a SQLite database file")
        if path.exists():
            return
    except OSError as exc:  # e.g. "File name too long", a path through a file
        raise ConnectError(f"cannot use {_short(target.path)}: {exc.strerror}") from exc
    if target.param("mode") == "rwc" and not read_only:
        return
    hint = "" if read_only else " (add ?mode=rwc to the URL to create a new database)"
    raise ConnectError(f"no such file: {_short(target.path)}{hint}")


def _short(path: str, limit: int = 200) -> str:
    """``path`` cut to ``limit`` characters for a one-line message (a 10 KB path stays readable)."""
    return path if len(path) <= limit else f"{path[: limit // 2]}…{path[-limit // 2 :]}"


def parse_url(url: str) -> ParsedUrl:
    """The driver's ``parse_url`` hook (see :func:`dbtui.core.spec.url_facts`).

    A SQLite URL holds no secret: it is shown as given, and the file path identifies it (so
    two files whose paths contain an ``@`` keep separate histories).

    Raises:
        ValueError: not a usable ``sqlite://`` URL.
    """
    try:
        target = parse_sqlite_url(url)
    except ConnectError as exc:
        raise ValueError("not a sqlite:// URL") from exc
    name = target.path.rstrip("/").rsplit("/", 1)[-1] or "sqlite"
    return ParsedUrl(masked=url, hosts=(target.path,), database=target.path, label=name)
