"""The config schema (msgspec Structs) and the checks a schema cannot express.

:func:`check_document` converts the dict tomllib produced into a
:class:`UiConfig`, a keymap and one :class:`ConnectionTable` per saved
connection. msgspec stops at the first problem, so each failing key is
recorded (worded for people, with its key path), dropped, and the
conversion repeated: every problem is reported. Unknown keys and wrong types
are problems, as are out-of-range numbers, malformed names and secrets.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import msgspec
import tomlkit
from msgspec import Meta, Struct

from dbtui.core.errors import ConnectError
from dbtui.core.spec import engine_of, mask_password

KeyPath = tuple[str | int, ...]
"""A path from the document root: table and key names, ``int`` indices for arrays."""

_LIMITS = {
    "connect_timeout": (1, 3600),
    "page_size": (1, 1_000_000),
    "statement_timeout_ms": (0, 2**31 - 1),
    "confirm_rows_over": (0, 2**31 - 1),
}
"""Inclusive bounds of the integer keys (the Meta constraints below use them)."""

Millis = Annotated[
    int, Meta(ge=_LIMITS["statement_timeout_ms"][0], le=_LIMITS["statement_timeout_ms"][1])
]
Count = Annotated[int, Meta(ge=_LIMITS["confirm_rows_over"][0], le=_LIMITS["confirm_rows_over"][1])]
PageSize = Annotated[int, Meta(ge=_LIMITS["page_size"][0], le=_LIMITS["page_size"][1])]
Seconds = Annotated[int, Meta(ge=_LIMITS["connect_timeout"][0], le=_LIMITS["connect_timeout"][1])]
NonEmpty = Annotated[str, Meta(min_length=1)]
Colour = Annotated[
    str, Meta(pattern=r"\A(?:#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})|[A-Za-z][A-Za-z0-9_-]*)\Z")
]
EnvName = Annotated[str, Meta(pattern=r"\A[A-Za-z_][A-Za-z0-9_]*\Z")]


class UiConfig(Struct, frozen=True, forbid_unknown_fields=True):
    """The ``[ui]`` table; ``None`` means "not set: use the app's default"."""

    theme: Annotated[str, Meta(pattern=r"\S")] | None = None
    """A Textual theme name; the UI checks that it exists."""
    statement_timeout_ms: Millis | None = None
    """Server-side statement time limit in milliseconds; 0 disables it."""
    page_size: PageSize | None = None
    """Rows or documents fetched per page of a result."""
    connect_timeout: Seconds | None = None
    """Seconds every connection waits for its server (TCP, TLS, login, first reply);
    ``None``: the default, 10 (:data:`dbtui.core.spec.DEFAULT_CONNECT_TIMEOUT_S`)."""
    confirm_rows_over: Count | None = None
    """A write changing more rows (documents) than this waits for a yes before it is
    committed (MongoDB: before it is sent); ``None``: the default, 100. 0 asks for every
    counted write that changes anything. See :mod:`dbtui.core.writes`."""


class ConnectionTable(Struct, frozen=True, forbid_unknown_fields=True):
    """The keys of one ``[connections.NAME]`` table (see ``SavedConnection``), in written order."""

    url: str
    color: Colour | None = None
    read_only: bool = False
    default_schema: NonEmpty | None = None
    default_database: NonEmpty | None = None
    redis_delimiter: NonEmpty | None = None
    password_env: EnvName | None = None
    statement_timeout_ms: Millis | None = None


CONNECTION_FIELDS: tuple[str, ...] = ConnectionTable.__struct_fields__
"""Keys of a ``[connections.NAME]`` table (``url`` is required)."""


class _Document(Struct, forbid_unknown_fields=True):
    ui: UiConfig = msgspec.field(default_factory=UiConfig)
    keys: dict[str, Any] = msgspec.field(default_factory=dict)
    connections: dict[str, Any] = msgspec.field(default_factory=dict)


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in the config.

    Attributes:
        line: 1-based line of the offending key, or ``None`` when unknown.
        key: The key path as TOML spells it (``connections.prod.url``).
        message: What is wrong, in a sentence fragment.
    """

    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "somewhere"
        return f"{where}: {self.key}: {self.message}"


Found = list[tuple[KeyPath, str]]
"""Problems as (key path, message), before their lines are known."""

_T = TypeVar("_T", bound=Struct)
_WANTED = {"str": "a string", "int": "an integer", "bool": "true or false", "object": "a table"}
_VALUE_RULES = {
    "color": "{value!r} is not a colour (#rgb, #rrggbb or a name)",
    "password_env": "must be the NAME of an environment variable (letters, digits, _), "
    "not a password",
}
_REFUSED = {
    "password": "passwords are not stored in the config file; put it in an environment "
    'variable and set password_env = "VARIABLE_NAME" (or use ~/.pgpass, or let dbtui '
    "prompt for it)",
    "name": "the name is the table key: [connections.{name}]",
}
_ERROR = re.compile(r"(.*?)(?: - at `\$([\w.]*)`)?", re.DOTALL)
_TYPE_ERROR = re.compile(r"Expected `(\w+)[^`]*`, got")


def key_text(path: KeyPath) -> str:
    """A key path as TOML would spell it: ``connections."my db".url``, ``a[0].b``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + tomlkit.key(part).as_string()
    return out or "(top level)"


def type_name(value: object) -> str:
    """TOML's name for the type of a parsed value, with an article."""
    names = [
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a float"),
        (str, "a string"),
        (dict, "a table"),
        (list, "an array"),
        (dt.date | dt.time, "a date/time"),
    ]
    return next((name for kind, name in names if isinstance(value, kind)), type(value).__name__)


def check_document(
    data: dict[str, Any], binding_ids: Collection[str] | None
) -> tuple[UiConfig, dict[str, str], dict[str, ConnectionTable], Found]:
    """Check a parsed document (dropping bad keys from ``data`` as it goes).

    Returns:
        The ``[ui]`` settings, the keymap, the valid connections by name, and
        every problem found (the others hold only what was valid).
    """
    found: Found = []
    document = convert(data, _Document, (), found) or _Document()
    keys = _keymap(document.keys, binding_ids, found)
    connections: dict[str, ConnectionTable] = {}
    for name, value in document.connections.items():
        before = len(found)
        at: KeyPath = ("connections", name)
        if not name.strip() or any(ch < " " for ch in name):
            found.append((at, "a connection name must be non-empty printable text"))
        table = convert(value, ConnectionTable, at, found)
        if table is not None:
            _check_url(table, at, found)
        if table is not None and len(found) == before:
            connections[name] = table
    return document.ui, keys, connections, found


def convert(value: object, kind: type[_T], at: KeyPath, found: Found) -> _T | None:
    """``value`` (the table at ``at``) as a ``kind``; ``None`` when the table itself is wrong.

    Each key msgspec rejects is added to ``found`` and deleted from ``value``
    before trying again, so one call reports every bad key.
    """
    while True:
        try:
            return msgspec.convert(value, kind)
        except msgspec.ValidationError as exc:
            local = _explain(str(exc), value, kind, at, found)
        if not local or not isinstance(value, dict):
            return None
        parent = value
        for part in local[:-1]:
            parent = parent[part]
        del parent[local[-1]]


def _explain(error: str, data: Any, kind: type[Struct], at: KeyPath, found: Found) -> KeyPath:
    """Record msgspec's ``error`` about ``data`` in ``found``; returns the local path to drop."""
    match = _ERROR.fullmatch(error)
    text, where = match.groups() if match else (error, None)
    local: KeyPath = tuple(where.split(".")[1:]) if where else ()
    field = str(local[-1]) if local else ""
    type_error = _TYPE_ERROR.match(text)
    if text.startswith("Object contains unknown field"):
        # Found by difference, as a key may itself contain " - at `$.x`".
        tables = [(path, UiConfig if path == ("ui",) else kind) for path in (local, ())]
        local, struct, key = next(
            (path, struct, key)
            for path, struct in tables
            if isinstance(table := _value_at(data, path), dict)
            for key in table
            if key not in struct.__struct_fields__
        )
        local = (*local, key)
        message = _unknown(key, struct.__struct_fields__)
        if struct is ConnectionTable and key in _REFUSED:
            message = _REFUSED[key].format(name=key_text(at[-1:]))
    elif text.startswith("Object missing required field"):
        message = "a saved connection needs a url"
    elif (
        type_error
        and (*at, *local) == ("connections",)
        and isinstance(_value_at(data, local), list)
    ):
        message = "use one [connections.NAME] table per connection, not [[connections]]"
    elif type_error:
        wanted = _WANTED.get(type_error[1], type_error[1])
        message = f"must be {wanted}, not {type_name(_value_at(data, local))}"
    elif field in _LIMITS:
        low, high = _LIMITS[field]
        message = f"must be between {low} and {high}, not {_value_at(data, local)}"
    else:  # a pattern or a minimum length
        rule = _VALUE_RULES.get(field, "must not be empty")
        message = rule.format(value=_value_at(data, local))
    found.append(((*at, *local), message))
    return local


def _value_at(data: Any, path: KeyPath) -> Any:
    """The value at ``path`` below ``data``; ``{}`` when there is none."""
    for part in path:
        data = data.get(part, {}) if isinstance(data, dict) else {}
    return data


def _unknown(key: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key ({hint}expected one of: {', '.join(known)})"


def _keymap(
    table: Mapping[str, object], binding_ids: Collection[str] | None, found: Found
) -> dict[str, str]:
    """``[keys]``: binding id -> keys; nested tables are read as dotted ids."""
    keymap: dict[str, str] = {}
    pending: list[tuple[tuple[str, ...], Mapping[str, object]]] = [((), table)]
    while pending:
        prefix, current = pending.pop()
        for key, item in current.items():
            path: KeyPath = ("keys", *prefix, key)
            binding = ".".join((*prefix, key))
            if isinstance(item, dict):
                pending.append(((*prefix, key), item))
            elif not isinstance(item, str):
                found.append((path, f"must be a string of keys, not {type_name(item)}"))
            elif binding_ids is not None and binding not in binding_ids:
                close = difflib.get_close_matches(binding, list(binding_ids), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                found.append((path, f"no binding has the id {binding!r}{hint}"))
            elif not _valid_keys(item):
                found.append((path, f"{item!r} is not a comma-separated list of keys"))
            else:
                keymap[binding] = ",".join(part.strip() for part in item.split(","))
    return keymap


def _check_url(table: ConnectionTable, at: KeyPath, found: Found) -> None:
    masked = mask_password(table.url)
    if masked != table.url:
        message = (
            f"the URL holds a password ({masked}); remove it and set "
            'password_env = "VARIABLE_NAME" instead'
        )
        found.append(((*at, "url"), message))
        return
    try:
        engine = engine_of(table.url)
    except ConnectError as exc:
        found.append(((*at, "url"), exc.message))
        return
    if engine == "sqlite" and table.password_env is not None:
        found.append(((*at, "password_env"), "SQLite files have no password"))


def _valid_keys(keys: str) -> bool:
    """``"f5, ctrl+enter"``: non-empty comma-separated key names without inner spaces."""
    parts = [part.strip() for part in keys.split(",")]
    return all(part and not any(ch.isspace() for ch in part) for part in parts)
