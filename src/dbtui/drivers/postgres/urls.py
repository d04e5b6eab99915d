"""PostgreSQL URLs and keyword strings read by libpq's own rules, for masking and naming.

:func:`parse_url` is the driver's ``parse_url`` hook (see :func:`dbtui.core.spec.url_facts`):
libpq (through psycopg's ``conninfo_to_dict``) decides what the text means, so a password
with ``#``, ``?``, spaces or quotes is found exactly where libpq finds it.
"""

from __future__ import annotations

import os
import re

import psycopg
from psycopg.conninfo import conninfo_to_dict

from dbtui.core.urlmask import (
    MASK,
    ParsedUrl,
    conservative_mask,
    is_secret_key,
    mask_url_userinfo,
    query_secrets,
)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def parse_url(text: str) -> ParsedUrl:
    """What libpq makes of ``text`` (a ``postgresql://`` URL or a keyword string).

    Raises:
        ValueError: libpq does not accept the text.
    """
    try:
        params = {k: str(v) for k, v in conninfo_to_dict(text).items()}
    except psycopg.Error as exc:
        raise ValueError("not a libpq connection string") from exc
    secrets = tuple(v for k, v in params.items() if is_secret_key(k) and v)
    user = params.get("user")
    if _SCHEME.match(text):
        masked, clean = mask_url_userinfo(text, user, params.get("password"))
        secrets += query_secrets(text)
    else:
        masked, clean = mask_keywords(text, params)
    hosts = _hosts(params)
    database = params.get("dbname")
    return ParsedUrl(masked, user, secrets, hosts, database, _label(params), clean)


def _label(params: dict[str, str]) -> str:
    """``host[:port][/database]`` or ``service=name``, filling what the text leaves out from
    the ``PG*`` environment variables libpq reads (``PGHOST``, ``PGHOSTADDR``, ``PGPORT``,
    ``PGDATABASE``, ``PGSERVICE``); ``localhost`` when neither names a host."""
    with_env = dict(params)
    for key, variable in _ENVIRONMENT.items():
        value = os.environ.get(variable, "")
        if value and not with_env.get(key):
            with_env[key] = value
    if "service" in params or ("service" in with_env and not _hosts(params)):
        return f"service={with_env['service']}"
    label = ",".join(_hosts(with_env)) or "localhost"
    database = with_env.get("dbname")
    return f"{label}/{database}" if database else label


#: libpq keyword -> the environment variable libpq reads when the keyword is missing.
_ENVIRONMENT = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "service": "PGSERVICE",
}


def _hosts(params: dict[str, str]) -> tuple[str, ...]:
    hosts = (params.get("host") or params.get("hostaddr") or "").split(",")
    ports = (params.get("port") or "").split(",")
    if len(ports) == 1:
        ports = ports * len(hosts)
    pairs = zip(hosts, ports + [""] * len(hosts), strict=False)
    return tuple(f"{h}:{p}" if p else h for h, p in pairs if h or p)


def keyword_pairs(text: str) -> list[tuple[str, int, int, str]]:
    """``(key, value start, value end, decoded value)`` of each pair of a keyword string.

    libpq's rules: ``key = value`` separated by whitespace; a value is either single-quoted
    (``\\'`` and ``\\\\`` escaped) or runs to the next whitespace (backslash escapes too).

    Raises:
        ValueError: the text is not a sequence of ``key=value`` pairs.
    """
    pairs: list[tuple[str, int, int, str]] = []
    pos, size = 0, len(text)
    while True:
        while pos < size and text[pos].isspace():
            pos += 1
        if pos >= size:
            return pairs
        match = re.compile(r"([^=\s]+)\s*=\s*").match(text, pos)
        if match is None:
            raise ValueError("missing '=' after a keyword")
        start = pos = match.end()
        quoted = pos < size and text[pos] == "'"
        pos += 1 if quoted else 0
        value: list[str] = []
        while pos < size and (text[pos] != "'" if quoted else not text[pos].isspace()):
            if text[pos] == "\\" and pos + 1 < size:
                pos += 1
            value.append(text[pos])
            pos += 1
        if quoted:
            if pos >= size:
                raise ValueError("unterminated quoted value")
            pos += 1
        pairs.append((match.group(1), start, pos, "".join(value)))


def mask_keywords(text: str, params: dict[str, str]) -> tuple[str, bool]:
    """``text`` with the values of password-like keywords replaced, and whether it was clean.

    The pairs are read by libpq's rules; when they disagree with what libpq returned
    (``params``), the conservative mask is used.
    """
    try:
        pairs = keyword_pairs(text)
    except ValueError:
        return conservative_mask(text), False
    if any(params.get(key) != value for key, _, _, value in pairs if is_secret_key(key)):
        return conservative_mask(text), False
    out, last = [], 0
    for key, start, end, _ in pairs:
        if is_secret_key(key):
            out.append(text[last:start] + MASK)
            last = end
    return "".join(out) + text[last:], True
