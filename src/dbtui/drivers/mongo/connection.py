"""Opening a MongoClient from a ``mongodb://``/``mongodb+srv://`` URL, and error translation.

Every URL option (``replicaSet``, ``tls*``, ``authSource``,
``directConnection``, ``readPreference``...) is passed to pymongo as is;
dbtui only adds defaults the URL does not set: a server-selection and connect
timeout (the spec's connect timeout, 10 s by default), ``appname=dbtui``, timezone-aware datetimes and the standard
UUID representation. Every pymongo exception a user can cause is turned into
a :mod:`dbtui.core.errors` exception whose text never holds the password.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pymongo
import pymongo.errors as perr
from bson.errors import BSONError

from dbtui.core.errors import (
    CancelledError,
    ConnectError,
    ConnectionLostError,
    DbtuiError,
    PasswordRequired,
    QueryError,
)
from dbtui.core.spec import (
    ConnectionSpec,
    connect_timeout,
    require_parsable,
    scrub,
    url_facts,
)
from dbtui.drivers.mongo.urls import has_password, user_without_password

# ``serverSelectionTimeoutMS`` and ``connectTimeoutMS`` default to the spec's connect
# timeout (:func:`dbtui.core.spec.connect_timeout`, 10 s unless configured).
DEFAULT_DATABASE = "test"
"""Current database when the URL names none (as in mongosh)."""

CLIENT_ERRORS: tuple[type[Exception], ...] = (perr.PyMongoError, BSONError, ValueError, TypeError)
"""What pymongo and bson raise for input the user can get wrong (bad names, invalid
documents, ``$`` rules of updates) besides server errors: catch these around client calls
and pass them to :func:`translate`."""

_INTERRUPTED = {11601, 11602, 237}
"""Interrupted, InterruptedAtShutdown... codes: the op was killed (by our cancel)."""
_AUTH_FAILED = {18}
MongoClient = pymongo.MongoClient[dict[str, Any]]


def _url_options(url: str) -> set[str]:
    """Lower-cased names of the options given in the URL's query string."""
    query = urlsplit(url).query if "://" in url else ""
    return {part.split("=", 1)[0].lower() for part in query.split("&") if part}


def _scrub(text: str, spec: ConnectionSpec) -> str:
    """``text`` with the URL and every spelling of its password masked (pymongo's own
    parsing finds the password; see :func:`dbtui.core.spec.scrub`)."""
    return scrub(text, spec.url)


def _selection_reason(exc: perr.ServerSelectionTimeoutError) -> str:
    """The useful first part of a server-selection error (before the topology dump)."""
    full = str(exc)
    text = full.split(", Timeout:", 1)[0].split(" (configured timeouts", 1)[0].strip()
    if not text or text.startswith("No servers found yet"):
        timeout = re.search(r"Timeout: ([\d.]+s)", full)
        within = f" within {timeout.group(1)}" if timeout else ""
        return f"timed out: no reply{within} (check the host, the port and the TLS settings)"
    return text.splitlines()[0]


def _auth_reason(exc: perr.OperationFailure, spec: ConnectionSpec) -> str:
    user = url_facts(spec.url).user or ""
    message = str((exc.details or {}).get("errmsg") or exc)
    who = f"user {user!r}" if user else "the login"
    extra = "" if message.lower().strip(". ") == "authentication failed" else f": {message}"
    return (
        f"authentication failed for {who} at {spec.display_url}{extra} "
        "(check the user, password and authSource)"
    )


def _auth_failed(exc: Exception) -> bool:
    return isinstance(exc, perr.OperationFailure) and (
        exc.code in _AUTH_FAILED or "auth" in str(exc).lower()
    )


def connect_error(
    exc: Exception, spec: ConnectionSpec, password: str | None = None
) -> ConnectError:
    """One-line :class:`ConnectError` for a failure to connect to ``spec``.

    A refused login with a password (typed after :class:`PasswordRequired`,
    ``password``, or in the URL) is a :class:`PasswordRequired` with
    ``rejected`` set, so the prompt comes back saying the password was wrong.
    """
    where = spec.display_url
    if (password is not None or has_password(spec.url)) and _auth_failed(exc):
        assert isinstance(exc, perr.OperationFailure)
        user = url_facts(spec.url).user or ""
        reason = _scrub(" ".join(_auth_reason(exc, spec).split()), spec)
        return PasswordRequired(reason, user=user, rejected=True)
    if isinstance(exc, perr.ServerSelectionTimeoutError):
        reason = f"no server at {where} answered: {_selection_reason(exc)}"
    elif _auth_failed(exc):
        assert isinstance(exc, perr.OperationFailure)
        reason = _auth_reason(exc, spec)
    elif isinstance(exc, perr.ConfigurationError | perr.InvalidURI | ValueError):
        reason = f"unusable URL {where}: {exc}"
    else:
        reason = f"cannot connect to {where}: {exc}"
    return ConnectError(_scrub(" ".join(str(reason).split()), spec))


def open_client(spec: ConnectionSpec, password: str | None = None) -> MongoClient:
    """Create a client for ``spec`` and check that a server answers ``ping``.

    ``password`` is one typed after :class:`PasswordRequired` (kept in memory,
    handed to pymongo as its ``password`` option, which overrides the URL's).

    Raises:
        PasswordRequired: the URL names a user but no password (and its
            mechanism needs one) and none was typed, before anything is
            sent; or the server refused the typed password (``rejected``).
        ConnectError: bad URL, unreachable server, or refused login (one line,
            password masked).
    """
    require_parsable(spec.url)
    user = user_without_password(spec.url)
    if user is not None and password is None:
        raise PasswordRequired(
            f"{spec.display_url}: a password is needed for user {user!r}", user=user
        )
    given = _url_options(spec.url)
    options: dict[str, Any] = {"tz_aware": True}
    if password is not None:
        options["password"] = password
    if "uuidrepresentation" not in given:
        options["uuidRepresentation"] = "standard"
    if "appname" not in given:
        options["appname"] = "dbtui"
    timeout_ms = max(1, round(connect_timeout(spec) * 1000))
    if "serverselectiontimeoutms" not in given:
        options["serverSelectionTimeoutMS"] = timeout_ms
    if "connecttimeoutms" not in given:
        options["connectTimeoutMS"] = timeout_ms
    client: MongoClient | None = None
    try:
        client = pymongo.MongoClient(spec.url, **options)
        client.admin.command("ping")
    except (perr.PyMongoError, ValueError, TypeError) as exc:
        if client is not None:
            client.close()
        raise connect_error(exc, spec, password) from None
    return client


def default_database(client: MongoClient) -> str:
    """The database named in the URL path, else :data:`DEFAULT_DATABASE`."""
    try:
        database = client.get_default_database()
    except perr.ConfigurationError:
        return DEFAULT_DATABASE
    return database.name


def _server_message(exc: perr.OperationFailure) -> str:
    details = exc.details or {}
    message = str(details.get("errmsg") or exc)
    name = details.get("codeName")
    return f"{message} ({name})" if name else message


def translate(
    exc: Exception, statement: str | None = None, *, cancelled: bool = False
) -> DbtuiError:
    """A :class:`DbtuiError` for a pymongo/bson exception raised while running ``statement``.

    ``cancelled`` says the user asked to cancel: any failure then reads as a
    :class:`CancelledError` (a killed cursor fails with various codes).
    """
    if cancelled:
        return CancelledError("the operation was cancelled")
    if isinstance(exc, DbtuiError):
        return exc
    if isinstance(exc, perr.ExecutionTimeout):
        return QueryError(
            f"the operation exceeded its time limit (maxTimeMS): {_server_message(exc)}",
            "Time limit exceeded",
            statement=statement,
            hint="Narrow the filter, add an index, or raise the limit with .maxTimeMS(ms).",
        )
    if isinstance(exc, perr.OperationFailure) and exc.code in _INTERRUPTED:
        return CancelledError(f"the operation was interrupted: {_server_message(exc)}")
    if isinstance(exc, perr.BulkWriteError):
        errors = exc.details.get("writeErrors", []) if exc.details else []
        first = errors[0].get("errmsg", str(exc)) if errors else str(exc)
        return QueryError(
            f"{len(errors) or 1} write(s) failed; first: {first}", statement=statement
        )
    if isinstance(exc, perr.OperationFailure):
        return QueryError(_server_message(exc), statement=statement)
    if isinstance(exc, perr.ServerSelectionTimeoutError | perr.AutoReconnect):
        return ConnectionLostError(f"lost the server: {_selection_reason_any(exc)}")
    if isinstance(exc, perr.ConnectionFailure):
        return ConnectionLostError(f"lost the server: {exc}")
    if isinstance(exc, perr.PyMongoError | BSONError | ValueError | TypeError | OverflowError):
        return QueryError(str(exc) or type(exc).__name__, statement=statement)
    return QueryError(f"{type(exc).__name__}: {exc}", statement=statement)


def _selection_reason_any(exc: Exception) -> str:
    if isinstance(exc, perr.ServerSelectionTimeoutError):
        return _selection_reason(exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
