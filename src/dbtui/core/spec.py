"""Connection specifications: what the user asked to connect to.

A :class:`ConnectionSpec` is built from a URL given on the command line (or,
later, from a saved connection). It never holds a password in a form that can
reach the screen: :attr:`ConnectionSpec.display_url` masks it, and
``repr`` shows only the masked form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from dbtui.core.errors import ConnectError

#: URL scheme -> engine name (the entry-point name of the driver).
SCHEMES: dict[str, str] = {
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mongodb": "mongodb",
    "mongodb+srv": "mongodb",
    "redis": "redis",
    "rediss": "redis",
    "redis+sentinel": "redis",
    "unix": "redis",
}

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def mask_password(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``.

    Handles ``user:password@host`` in the authority and ``password=...`` in
    the query string or a keyword conninfo string. Anything that does not
    parse is returned with a conservative regex mask applied.
    """
    masked = re.sub(r"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&;]+)", r"\1***", url)
    match = _SCHEME_RE.match(masked)
    if not match:
        return masked
    try:
        parts = urlsplit(masked)
    except ValueError:
        return re.sub(r"(://[^/@:]*:)[^@/]*@", r"\1***@", masked)
    if parts.password is None:
        return masked
    # netloc may hold several hosts (mongodb seed lists); mask only the userinfo.
    userinfo, _, hosts = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hosts}"))


@dataclass(frozen=True)
class ConnectionSpec:
    """One connection the user asked for.

    Attributes:
        url: The URL exactly as given (may contain a password: never display it,
            use :attr:`display_url`).
        engine: Driver name, a key of the ``dbtui.drivers`` entry-point group.
        name: Short label shown in the connection list.
        read_only: Refuse writes before they are sent (and, where the engine
            can, make the server refuse them too).
        options: Engine-specific extras (e.g. ``{"delimiter": ":"}`` for Redis).
    """

    url: str = field(repr=False)
    engine: str
    name: str
    read_only: bool = False
    options: tuple[tuple[str, str], ...] = ()

    @property
    def display_url(self) -> str:
        """The URL with its password masked: the only form fit for screens and logs."""
        return mask_password(self.url)

    def __repr__(self) -> str:
        return (
            f"ConnectionSpec(url={self.display_url!r}, engine={self.engine!r}, "
            f"name={self.name!r}, read_only={self.read_only!r})"
        )

    def option(self, key: str, default: str | None = None) -> str | None:
        """Look up one engine-specific option."""
        return dict(self.options).get(key, default)


_KEYWORD_RE = re.compile(r"^\s*[A-Za-z_]+\s*=")


def is_keyword_conninfo(text: str) -> bool:
    """True for a libpq keyword string such as ``host=db dbname=shop`` or ``service=prod``."""
    return bool(_KEYWORD_RE.match(text)) and not _SCHEME_RE.match(text)


def engine_of(url: str) -> str:
    """Return the engine name for ``url``'s scheme.

    A libpq keyword string (``host=... dbname=...``, ``service=name``) is
    PostgreSQL; a bare path ending in ``.db``/``.sqlite``/``.sqlite3`` is SQLite.

    Raises:
        ConnectError: the URL has no scheme or an unknown one.
    """
    match = _SCHEME_RE.match(url)
    if not match:
        if is_keyword_conninfo(url):
            return "postgresql"
        if url.endswith((".db", ".sqlite", ".sqlite3")):
            return "sqlite"
        raise ConnectError(
            f"{mask_password(url)!r} is not a URL; expected e.g. sqlite:///path.db, "
            "postgresql://host/db, mongodb://host, redis://host",
            "Unknown connection",
        )
    scheme = match.group(1).lower()
    if scheme not in SCHEMES:
        known = ", ".join(sorted({f"{s}://" for s in SCHEMES if s != "unix"}))
        raise ConnectError(
            f"unknown URL scheme {scheme + '://'!r}; known schemes: {known}",
            "Unknown connection",
        )
    return SCHEMES[scheme]


def default_name(url: str, engine: str) -> str:
    """A short, password-free label for a URL: the file name, or host/database."""
    if engine == "sqlite":
        path = url.split("://", 1)[-1].split("?", 1)[0]
        return path.rstrip("/").rsplit("/", 1)[-1] or "sqlite"
    if is_keyword_conninfo(url):
        found: list[tuple[str, str]] = re.findall(r"(\w+)\s*=\s*('[^']*'|\S+)", url)
        pairs = {key: value.strip("'") for key, value in found}
        if "service" in pairs:
            return "service=" + pairs["service"]
        host = pairs.get("host", "localhost")
        dbname = pairs.get("dbname", "")
        return f"{host}/{dbname}" if dbname else host
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return engine
    path = parts.path.strip("/")
    return f"{host}{port}/{path}" if path else f"{host}{port}"


def spec_from_url(url: str, *, read_only: bool = False, name: str | None = None) -> ConnectionSpec:
    """Build a :class:`ConnectionSpec` from a command-line URL.

    A bare path ending in ``.db``/``.sqlite``/``.sqlite3`` is accepted as a
    SQLite file.
    """
    engine = engine_of(url)
    if engine == "sqlite" and not _SCHEME_RE.match(url):
        url = f"sqlite://{url}"
    return ConnectionSpec(
        url=url, engine=engine, name=name or default_name(url, engine), read_only=read_only
    )
