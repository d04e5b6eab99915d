"""MongoDB URIs read by pymongo's own rules, for masking and naming.

:func:`parse_url` is the driver's ``parse_url`` hook (see :func:`dbtui.core.spec.url_facts`).
It calls what ``MongoClient`` itself calls on a URI, ``uri_parser_shared._validate_uri`` with
the same arguments (``validate=True, warn=True, normalize=False``): that step never touches the
network, so a ``mongodb+srv://`` URI is parsed without any DNS lookup (the public
``uri_parser.parse_uri`` would resolve its SRV and TXT records). Should a pymongo release drop
that function, ``parse_uri`` is used for ``mongodb://`` and an SRV URI counts as not parsed
(masked conservatively).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from pymongo import uri_parser, uri_parser_shared

from dbtui.core.urlmask import ParsedUrl, mask_url_userinfo, query_secrets

_SRV_PREFIX = "mongodb+srv://"
DEFAULT_PORT = 27017
PASSWORDLESS_MECHANISMS = frozenset({"MONGODB-X509", "GSSAPI", "MONGODB-AWS", "MONGODB-OIDC"})
"""Authentication mechanisms that log in without a password (certificates, Kerberos, cloud)."""


def _client_parser() -> Callable[..., dict[str, Any]] | None:
    parser = getattr(uri_parser_shared, "_validate_uri", None)
    return parser if callable(parser) else None


def _parse(text: str) -> dict[str, Any]:
    parser = _client_parser()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unknown options: MongoClient warns, masking is silent
        if parser is not None:
            return parser(text, DEFAULT_PORT, validate=True, warn=True, normalize=False)
        if text.startswith(_SRV_PREFIX):
            raise ValueError("no DNS-free parser for mongodb+srv:// in this pymongo")
        return uri_parser.parse_uri(text, warn=True, normalize=False)


def parse_url(text: str) -> ParsedUrl:
    """What pymongo makes of ``text``, without any network or DNS access.

    Raises:
        ValueError: pymongo does not accept the text (``InvalidURI`` and
            ``ConfigurationError`` are turned into ``ValueError``).
    """
    try:
        parsed = _parse(text)
    except ValueError:
        raise
    except Exception as exc:  # pymongo's InvalidURI, ConfigurationError...
        raise ValueError("not a MongoDB URI") from exc
    user, password = parsed.get("username"), parsed.get("password")
    masked, clean = mask_url_userinfo(text, user, password, plus_is_space=True)
    secrets = tuple(s for s in (password, *query_secrets(text)) if s)
    if parsed.get("fqdn"):
        hosts: tuple[str, ...] = (str(parsed["fqdn"]),)
    else:
        hosts = tuple(f"{host}:{port}" for host, port in parsed.get("nodelist") or ())
    database = parsed.get("database")
    label = ",".join(hosts) + (f"/{database}" if database else "")
    return ParsedUrl(masked, user, secrets, hosts, database, label, clean)


def _credentials(text: str) -> tuple[str, str, str] | None:
    """``(user, password, MECHANISM)`` of a URL (empty strings when absent); ``None`` if unparsable."""
    try:
        parsed = _parse(text)
    except Exception:  # unparsable: require_parsable / MongoClient report it
        return None
    options = {str(k).lower(): v for k, v in (parsed.get("options") or {}).items()}
    mechanism = str(options.get("authmechanism") or "").upper()
    return str(parsed.get("username") or ""), str(parsed.get("password") or ""), mechanism


def user_without_password(text: str) -> str | None:
    """The user ``text`` names with no password, when its mechanism needs one; else ``None``.

    ``mongodb://alice@host`` gives ``"alice"`` (pymongo would refuse it with
    "A password is required"); so does an empty password (``alice:@host``),
    which pymongo treats the same way. A URL without a user, with a password,
    with a mechanism of :data:`PASSWORDLESS_MECHANISMS`, or that does not
    parse gives ``None``. Never touches the network.
    """
    found = _credentials(text)
    if found is None:
        return None
    user, password, mechanism = found
    if not user or password or mechanism in PASSWORDLESS_MECHANISMS:
        return None
    return user


def has_password(text: str) -> bool:
    """True when the URL itself holds a (non-empty) password."""
    found = _credentials(text)
    return found is not None and bool(found[1])
