"""Connection specifications: what the user asked to connect to.

A :class:`ConnectionSpec` is built from a URL given on the command line (or,
later, from a saved connection). It never holds a password in a form that can
reach the screen: :attr:`ConnectionSpec.display_url` masks it, and
``repr`` shows only the masked form.

Masking uses each engine's own URL parser (:func:`url_facts`, through the driver's
``parse_url`` hook), so a password holding ``#``, ``?``, ``/``, ``@``, spaces or
non-ASCII text is found exactly where the driver will find it; what no parser reads
cleanly is masked conservatively and refused before connecting (:func:`require_parsable`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from dbtui.core.errors import ConnectError
from dbtui.core.urlmask import (
    MASK,
    UNPARSABLE_HINT,
    ParsedUrl,
    UrlParser,
    conservative_mask,
    mask_free_text,
    replace_secrets,
    secret_forms,
)


def _registry() -> Any:
    """The driver registry (imported late: it imports this module)."""
    from dbtui.core import registry

    return registry


def schemes() -> dict[str, str]:
    """URL scheme -> engine name, as the installed drivers declare them.

    Read from each driver's :class:`~dbtui.core.engine_info.EngineInfo` through the
    ``dbtui.drivers`` entry points, which imports no engine library.
    """
    table: dict[str, str] = _registry().scheme_table()
    return table


_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def url_facts(url: str) -> ParsedUrl:
    """What ``url``'s engine makes of it, parsed by the engine's own rules, never raising.

    The parser is the driver's ``parse_url`` (found through the driver registry, so core
    imports no driver). A text with an unknown scheme, whose driver has no parser or whose
    parser refuses it gets :func:`~dbtui.core.urlmask.conservative_mask` and ``clean`` is
    False when that mask hid anything.
    """
    return _url_facts(url)


@lru_cache(maxsize=256)
def _url_facts(url: str) -> ParsedUrl:
    parser = _parser(_engine_or_none(url))
    if parser is not None:
        try:
            return parser(url)
        except Exception:
            pass
    masked = conservative_mask(url)
    return ParsedUrl(masked=masked, clean=masked == url)


def _engine_or_none(url: str) -> str | None:
    match = _SCHEME_RE.match(url)
    if match:
        return schemes().get(match.group(1).lower())
    return _keyword_engine() if is_keyword_conninfo(url) else None


def _keyword_engine() -> str | None:
    engine: str | None = _registry().keyword_conninfo_engine()
    return engine


@lru_cache(maxsize=16)
def _parser(engine: str | None) -> UrlParser | None:
    """``engine``'s declared URL parser (or its driver's ``parse_url``), if it has one."""
    if engine is None:
        return None
    parser: UrlParser | None = _registry().url_parser(engine)
    return parser


def mask_password(url: str) -> str:
    """Return ``url`` with every password replaced by ``***`` (see :func:`url_facts`).

    A text that is not a URL or a keyword connection string (an error message, say) has
    its embedded URLs' user-info and ``password=`` values masked instead.
    """
    if _SCHEME_RE.match(url) or is_keyword_conninfo(url):
        return url_facts(url).masked
    return mask_free_text(url)


def scrub(text: str, url: str) -> str:
    """``text`` (e.g. a driver's error message about ``url``) made safe to show.

    ``url`` itself and every spelling of each secret it holds are masked. When ``url`` did
    not parse cleanly, the secret cannot be told apart from the rest and the text may quote
    pieces of it: :data:`~dbtui.core.urlmask.UNPARSABLE_HINT` is returned instead.
    """
    facts = url_facts(url)
    if not facts.clean:
        return UNPARSABLE_HINT
    text = text.replace(url, facts.masked) if url else text
    return mask_free_text(replace_secrets(text, secret_forms(facts.passwords)))


def require_parsable(url: str) -> None:
    """Refuse, before anything is sent, a URL its engine reads differently from how it looks.

    Raises:
        ConnectError: ``url`` did not parse cleanly (e.g. an unencoded ``/`` or ``@`` in the
            password); the message says how to fix it and quotes only the masked URL.
    """
    facts = url_facts(url)
    if not facts.clean:
        raise ConnectError(f"{facts.masked}: {UNPARSABLE_HINT}", "Unusable URL")


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
        by_form = (
            _keyword_engine() if is_keyword_conninfo(url) else _registry().engine_for_path(url)
        )
        if by_form is not None:
            return str(by_form)
        shown = conservative_mask(url)
        shown = MASK + shown[shown.rindex("@") :] if "@" in shown else shown
        examples = [i.example_url for i in _registry().engine_infos().values() if i.example_url]
        raise ConnectError(
            f"{shown!r} is not a URL; expected e.g. {', '.join(sorted(examples)) or 'scheme://...'}",
            "Unknown connection",
        )
    scheme = match.group(1).lower()
    table = schemes()
    if scheme not in table:
        known = ", ".join(sorted({f"{s}://" for s in table if s != "unix"}))
        raise ConnectError(
            f"unknown URL scheme {scheme + '://'!r}; known schemes: {known or 'none'}",
            "Unknown connection",
        )
    return table[scheme]


def default_name(url: str, engine: str) -> str:
    """A short, password-free label for a URL: the file name, or host/database.

    Taken from what the engine's parser understood (:attr:`ParsedUrl.label`); a URL that did
    not parse cleanly is labelled with the engine name only.
    """
    if engine == "sqlite":
        path = url.split("://", 1)[-1].split("?", 1)[0]
        return path.rstrip("/").rsplit("/", 1)[-1] or "sqlite"
    facts = url_facts(url)
    if facts.clean:
        return facts.label or engine
    # Not parsed: only what follows the last "@" of the masked form (host and database).
    tail = facts.masked.rsplit("@", 1)[-1] if "@" in facts.masked else ""
    return tail.split("?", 1)[0].strip("/") or engine


def spec_from_url(url: str, *, read_only: bool = False, name: str | None = None) -> ConnectionSpec:
    """Build a :class:`ConnectionSpec` from a command-line URL.

    A bare path ending in ``.db``/``.sqlite``/``.sqlite3`` is accepted as a
    SQLite file.
    """
    engine = engine_of(url)
    if not _SCHEME_RE.match(url) and not is_keyword_conninfo(url):
        info = _registry().engine_info(engine)  # a bare file path: give it the engine's scheme
        url = f"{info.schemes[0] if info and info.schemes else engine}://{url}"
    return ConnectionSpec(
        url=url, engine=engine, name=name or default_name(url, engine), read_only=read_only
    )


CONNECT_TIMEOUT_OPTION = "connect_timeout"
"""Spec option holding the connect timeout in seconds (text), set by the CLI for every spec."""
DEFAULT_CONNECT_TIMEOUT_S = 10.0
"""Seconds every driver waits for a server to connect and answer, unless told otherwise."""


def connect_timeout(spec: ConnectionSpec) -> float:
    """Seconds to wait for ``spec``'s server to connect and answer its handshake (> 0).

    The ``connect_timeout`` option when it is a positive number, else
    :data:`DEFAULT_CONNECT_TIMEOUT_S`. Drivers apply it to every step of
    connecting (TCP, TLS, login, first reply); a timeout the URL itself sets wins.
    """
    text = spec.option(CONNECT_TIMEOUT_OPTION)
    try:
        seconds = float(text) if text is not None else DEFAULT_CONNECT_TIMEOUT_S
    except ValueError:
        return DEFAULT_CONNECT_TIMEOUT_S
    return seconds if 0 < seconds < float("inf") else DEFAULT_CONNECT_TIMEOUT_S


def with_connect_timeout(spec: ConnectionSpec, seconds: float) -> ConnectionSpec:
    """``spec`` with its connect timeout set to ``seconds`` (replacing any earlier one)."""
    options = [(k, v) for k, v in spec.options if k != CONNECT_TIMEOUT_OPTION]
    options.append((CONNECT_TIMEOUT_OPTION, f"{seconds:g}"))
    return replace(spec, options=tuple(options))
