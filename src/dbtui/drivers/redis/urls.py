"""Redis URLs read by redis-py's own rules, for masking and naming.

:func:`parse_url` is the driver's ``parse_url`` hook (see :func:`dbtui.core.spec.url_facts`):
``redis://``, ``rediss://`` and ``unix://`` go through redis-py's ``parse_url``;
``redis+sentinel://`` through :func:`~dbtui.drivers.redis.connection.parse_sentinel_url`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from redis.connection import parse_url as _untyped_parse_url

from dbtui.core.errors import ConnectError
from dbtui.core.urlmask import ParsedUrl, mask_url_userinfo, query_secrets
from dbtui.drivers.redis.connection import parse_sentinel_url

redis_parse_url: Callable[[str], dict[str, Any]] = _untyped_parse_url
"""redis-py's ``parse_url`` (unannotated in some releases) seen with its real types."""


def parse_url(text: str) -> ParsedUrl:
    """What redis-py makes of ``text``.

    Raises:
        ValueError: redis-py (or the Sentinel parser) does not accept the text.
    """
    if text.lower().startswith("redis+sentinel://"):
        return _parse_sentinel(text)
    kwargs = redis_parse_url(text)
    user, password = kwargs.get("username"), kwargs.get("password")
    masked, clean = mask_url_userinfo(text, user, password)
    secrets = tuple(s for s in (password, *query_secrets(text)) if s)
    if "path" in kwargs:
        where = str(kwargs["path"])
    else:
        port = kwargs.get("port")
        where = str(kwargs.get("host") or "localhost") + (f":{port}" if port else "")
    database = None if kwargs.get("db") is None else str(kwargs["db"])
    label = f"{where}/{database}" if database is not None else where
    return ParsedUrl(masked, user, secrets, (where,), database, label, clean)


def _parse_sentinel(text: str) -> ParsedUrl:
    try:
        target = parse_sentinel_url(text)
    except (ConnectError, IndexError) as exc:
        raise ValueError("not a Sentinel URL") from exc
    masked, clean = mask_url_userinfo(text, target.username, target.password)
    secrets = (target.password, target.sentinel_password, *query_secrets(text))
    hosts = tuple(f"{host}:{port}" for host, port in target.hosts)
    label = f"{','.join(hosts)}/{target.service}"
    return ParsedUrl(
        masked,
        target.username,
        tuple(s for s in secrets if s),
        hosts,
        f"{target.service}/{target.db}",
        label,
        clean,
    )


def require_numeric_database(text: str) -> None:
    """Refuse a ``redis://`` or ``rediss://`` URL whose path is not a database number.

    redis-py ignores a path it cannot read as a number, so ``redis://host/abc`` would
    silently open database 0.

    Raises:
        ConnectError: the path is neither empty nor a number.
    """
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in ("redis", "rediss"):
        return
    _netloc, _, path = rest.split("?", 1)[0].split("#", 1)[0].partition("/")
    path = unquote(path).strip("/")
    if path and not (path.isascii() and path.isdigit()):
        shown = path if len(path) <= 40 else path[:40] + "…"
        raise ConnectError(
            f"the database in the URL path must be a number (redis://host:6379/0), not {shown!r}",
            "Unusable URL",
        )
