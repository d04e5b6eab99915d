"""Engine-neutral pieces of password masking: what a driver's URL parser returns, and the
conservative fallbacks used when no parser understood a URL.

Each driver parses its own URLs with its engine's rules (libpq for PostgreSQL, redis-py's
``parse_url`` for Redis, pymongo's URI parser for MongoDB) and returns a :class:`ParsedUrl`;
:func:`dbtui.core.spec.url_facts` finds that parser through the driver registry (core never
imports a driver). This module holds what every engine shares:

* :func:`mask_url_userinfo`: the masked form of a URL that a parser understood. The password
  is cut out of the raw text only when the parser's user and password account for the whole
  user-info (everything between ``://`` and the last ``@``); otherwise the engine read the text
  differently from how it looks (an unencoded ``/``, ``#``, ``?`` or ``@`` in the password) and
  the conservative mask is used.
* :func:`conservative_mask`: for text no parser understood: everything between ``://`` and the
  last ``@`` is replaced, and so is everything after a password-like option (``password=``,
  ``sslpassword=``, ``sentinel_password=``, ``authMechanismProperties=``...).
* :func:`mask_free_text`: for prose that may quote URLs or ``password=`` pairs (error messages).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote, unquote_plus

MASK = "***"

UNPARSABLE_HINT = (
    "the URL could not be parsed; percent-encode special characters in the user name and "
    "password (%40 for @, %3A for :, %2F for /, %3F for ?, %23 for #, %25 for %, %20 for space)"
)
"""Said instead of a driver's own reason when the URL did not parse: that reason may quote
pieces of the password that no parser could isolate."""

_SECRET_KEY = r"[\w.-]*(?:pass|secret|token|authmechanismproperties)[\w.-]*"
_SECRET_KEY_RE = re.compile(rf"(?i)^{_SECRET_KEY}$")
_OPTION_TO_END = re.compile(rf"(?is)(\b{_SECRET_KEY}\s*=\s*).+")
_QUERY_SECRET = re.compile(rf"(?i)([?&;]{_SECRET_KEY}=)[^&]*")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_EMBEDDED_URL = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s'\"]*@")
_FREE_PAIR = re.compile(rf"(?i)(\b{_SECRET_KEY}\s*=\s*)('(?:[^'\\]|\\.)*'?|\"[^\"]*\"?|[^\s&;,)]+)")


@dataclass(frozen=True)
class ParsedUrl:
    """What an engine's own parser understood of a URL or connection string.

    Attributes:
        masked: The text with every secret replaced by ``***`` (see :func:`mask_url_userinfo`).
        user: The user name, decoded; ``None`` when none is given.
        passwords: Every secret value found (decoded): the password, and secret options such
            as ``sslpassword`` or ``sentinel_password``.
        hosts: ``host:port`` (or socket path) of each server, as the engine reads them.
        database: The database (name or number) the text selects, when it selects one.
        label: A short, password-free name (``host:port/database``, ``service=prod``).
        clean: False when the masked form had to fall back to :func:`conservative_mask`.
    """

    masked: str
    user: str | None = None
    passwords: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    database: str | None = None
    label: str = ""
    clean: bool = True


UrlParser = Callable[[str], ParsedUrl]
"""A driver's ``parse_url``: raises ``ValueError`` for text its engine would not accept."""


def is_secret_key(key: str) -> bool:
    """True for an option name that holds a secret (``password``, ``sslpassword``...)."""
    return bool(_SECRET_KEY_RE.match(key))


def conservative_mask(text: str) -> str:
    """Mask ``text`` without understanding it (the fallback for anything that did not parse).

    Everything between ``://`` and the last ``@`` is replaced (user name included), and
    everything after the first password-like option (``password=``, ``sslpassword=``...)
    up to the end of the text.
    """
    match = _SCHEME.match(text)
    if match and "@" in text[match.end() :]:
        text = match.group(0) + MASK + text[text.rindex("@") :]
    return _OPTION_TO_END.sub(lambda m: m.group(1) + MASK, text)


def mask_url_userinfo(
    raw: str, user: str | None, password: str | None, *, plus_is_space: bool = False
) -> tuple[str, bool]:
    """``raw`` with its password masked, and whether the parse result matched the raw text.

    ``user`` and ``password`` are what the engine's parser decoded. The raw user-info is taken
    as everything between ``://`` and the last ``@``; when it does not decode to exactly
    ``user``, ``user:`` or ``user:password`` (``plus_is_space``: ``+`` decodes to a space, as
    in pymongo), the conservative mask is returned with ``False``. Values of password-like query options are
    masked in both cases.
    """
    match = _SCHEME.match(raw)
    if match is None:
        return conservative_mask(raw), False
    start = match.end()
    at = raw.rfind("@", start)
    if at < 0:  # no user-info: any password came from the query string
        clean, masked = True, raw
    else:
        decode = unquote_plus if plus_is_space else unquote
        userinfo = raw[start:at]
        who = user or ""
        expected = {who, f"{who}:"} | ({f"{who}:{password}"} if password else set())
        clean = decode(userinfo) in expected
        if password is not None and ":" in userinfo:
            masked = raw[:start] + userinfo.split(":", 1)[0] + ":" + MASK + raw[at:]
        else:
            masked = raw
    if not clean:
        return conservative_mask(raw), False
    return _QUERY_SECRET.sub(lambda m: m.group(1) + MASK, masked), True


def query_secrets(raw: str) -> tuple[str, ...]:
    """Values of password-like options in ``raw``'s query string, raw and decoded."""
    query = raw.split("?", 1)[1] if "?" in raw else ""
    found: list[str] = []
    for part in re.split(r"[&;]", query):
        key, sep, value = part.partition("=")
        if sep and value and is_secret_key(key):
            found += [value, unquote(value), unquote_plus(value)]
    return tuple(found)


def mask_free_text(text: str) -> str:
    """Prose (an error message) with embedded URLs' user-info and ``password=`` values masked.

    Each ``scheme://...@`` run (up to the last ``@`` before a space or quote) loses its
    user-info; each ``password=value`` pair its value.
    """
    text = _EMBEDDED_URL.sub(_mask_embedded, text)
    return _FREE_PAIR.sub(lambda m: m.group(1) + MASK, text)


def _mask_embedded(match: re.Match[str]) -> str:
    """An embedded ``scheme://user-info@`` with the user-info masked (kept when it already is)."""
    if match.group(0).endswith(f":{MASK}@") and "@" not in match.group(0)[:-1]:
        return match.group(0)
    return match.group(1) + MASK + "@"


def secret_forms(secrets: Iterable[str]) -> tuple[str, ...]:
    """Every spelling of ``secrets`` that may appear in a text, longest first.

    The decoded value and its percent-encoded forms (``quote``, ``quote_plus``, and the
    fully encoded one), plus the raw text's ``unquote`` in case it was given encoded.
    """
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        forms.update(
            {
                secret,
                quote(secret, safe=""),
                quote_plus(secret, safe=""),
                quote(secret),
                unquote(secret),
            }
        )
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


def replace_secrets(text: str, forms: Iterable[str]) -> str:
    """``text`` with every occurrence of each form replaced by ``***`` (longest first)."""
    for form in forms:
        text = text.replace(form, MASK)
    return text
