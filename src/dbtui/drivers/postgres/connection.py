"""Open psycopg connections from a spec: libpq does all the parsing.

The spec's URL may be a ``postgresql://`` URL, a keyword conninfo string
(``host=db1 dbname=shop``) or empty, in which case libpq takes everything
from ``PGHOST``/``PGUSER``/``PGDATABASE``..., ``~/.pgpass`` and
``pg_service.conf`` (``service=name``). dbtui only adds keywords the user
did not set: ``application_name`` and ``connect_timeout``.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from dbtui.core.errors import ConnectError
from dbtui.core.spec import ConnectionSpec, connect_timeout, require_parsable, scrub
from dbtui.drivers.postgres import adapters
from dbtui.drivers.postgres.errors import connect_error

APPLICATION_NAME = "dbtui"
CONNECT_TIMEOUT_S = 10
"""libpq ``connect_timeout`` when neither the user's string nor the spec sets one, in seconds.
The spec's (:func:`dbtui.core.spec.connect_timeout`) is rounded up to whole seconds, and
psycopg waits at least 2."""

Connection = psycopg.Connection[Any]


def describe_target(spec: ConnectionSpec) -> str:
    """A password-free name for the target, for messages."""
    return spec.display_url if spec.url.strip() else "the server named by the libpq environment"


def build_conninfo(
    spec: ConnectionSpec,
    *,
    password: str | None = None,
    dbname: str | None = None,
    application_name: str = APPLICATION_NAME,
) -> str:
    """The libpq connection string for ``spec`` with dbtui's defaults and overrides.

    Args:
        spec: What the user asked to connect to.
        password: A password typed into dbtui's prompt; overrides any other.
        dbname: Connect to this database instead of the spec's (database switch).
        application_name: Used only when the user's string sets none.

    Raises:
        ConnectError: the URL or connection string is malformed, or libpq reads it
            differently from how it looks (see :func:`~dbtui.core.spec.require_parsable`).
    """
    url = spec.url.strip()
    try:
        given = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        reason = scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else "", url)
        raise ConnectError(
            f"{describe_target(spec)} is not a valid PostgreSQL URL or connection string"
            + (f": {reason}" if reason else "")
        ) from None
    require_parsable(url)
    extra: dict[str, Any] = {}
    if "application_name" not in given:
        extra["application_name"] = application_name
    if "connect_timeout" not in given:
        extra["connect_timeout"] = math.ceil(connect_timeout(spec))
    if password is not None:
        extra["password"] = password
    if dbname is not None:
        extra["dbname"] = dbname
    return make_conninfo(url, **extra)


def open_connection(conninfo: str, where: str) -> Connection:
    """Open an autocommit connection with dbtui's value loaders.

    Statements are never prepared server-side (``prepare_threshold=None``) so
    that ``DISCARD ALL`` or a pooler in between cannot break them.

    Raises:
        PasswordRequired: the server wants a password that was not given, or
            refused the one given.
        ConnectError: anything else that prevents the connection.
    """
    try:
        conn: Connection = psycopg.connect(conninfo, autocommit=True, prepare_threshold=None)
    except psycopg.Error as exc:
        raise connect_error(exc, where) from None
    adapters.configure(conn)
    return conn


def close_quietly(conn: Connection | None) -> None:
    """Close ``conn`` ignoring errors (it may already be broken)."""
    if conn is None:
        return
    with contextlib.suppress(psycopg.Error):
        conn.close()
