"""The config schema and its strict checker (used by :mod:`dbtui.core.config`).

:class:`Checker` walks the dict that tomllib produced and collects one
:class:`ConfigProblem` per unknown key, wrong type or bad value, each with
the line where the key is written (found through
:class:`~dbtui.core.toml_layout.Layout`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from dbtui.core.errors import ConnectError
from dbtui.core.spec import engine_of, mask_password
from dbtui.core.toml_layout import KeyPath, Layout

UI_FIELDS: dict[str, type] = {
    "theme": str,
    "statement_timeout_ms": int,
    "page_size": int,
    "confirm_rows_over": int,
    "connect_timeout": int,
}
"""Keys of ``[ui]`` and their types."""

CONNECTION_FIELDS: dict[str, type] = {
    "url": str,
    "color": str,
    "read_only": bool,
    "default_schema": str,
    "default_database": str,
    "redis_delimiter": str,
    "password_env": str,
    "statement_timeout_ms": int,
}
"""Keys of a ``[connections.NAME]`` table and their types (``url`` is required)."""

TOP_LEVEL = ("ui", "keys", "connections")

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_COLOR = re.compile(r"#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})|[A-Za-z][A-Za-z0-9_-]*")
_LIMITS = {
    "connect_timeout": (1, 3600),
    "page_size": (1, 1_000_000),
    "statement_timeout_ms": (0, 2**31 - 1),
    "confirm_rows_over": (0, 2**31 - 1),
}


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


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (quotes, backslashes and control characters escaped)."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def key_text(path: KeyPath) -> str:
    """A key path as TOML would spell it: ``connections."my db".url``, ``a[0].b``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        word = part if _BARE.fullmatch(part) else toml_string(part)
        out += f".{word}" if out else word
    return out or "(top level)"


def type_name(value: object) -> str:
    """TOML's name for the type of a parsed value, with an article."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dt.date | dt.time):
        return "a date/time"
    return type(value).__name__


_WANTED = {str: "a string", int: "an integer", bool: "true or false", dict: "a table"}


class Checker:
    """Collects :class:`ConfigProblem` objects while reading a parsed document."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.problems: list[ConfigProblem] = []

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append(ConfigProblem(self.layout.line_of(path), key_text(path), message))

    def check_document(
        self, data: Mapping[str, object], binding_ids: Collection[str] | None
    ) -> tuple[dict[str, Any], dict[str, str], list[dict[str, Any]]]:
        """Check every section; returns (ui fields, keymap, connection fields per entry)."""
        self.unknown_keys(data, TOP_LEVEL, ())
        ui = self.fields(data.get("ui", {}), UI_FIELDS, ("ui",))
        for key in ui.keys() & _LIMITS.keys():
            self.in_range(ui, key, ("ui", key))
        if isinstance(ui.get("theme"), str) and not str(ui["theme"]).strip():
            self.problem(("ui", "theme"), "must not be empty")
        keys = self.keymap(data.get("keys", {}), binding_ids)
        connections = self.connections(data.get("connections", {}))
        return ui, keys, connections

    def unknown_keys(
        self, table: Mapping[str, object], known: Collection[str], at: KeyPath
    ) -> None:
        for key in table:
            if key in known:
                continue
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            self.problem((*at, key), f"unknown key ({hint}expected one of: {', '.join(known)})")

    def table(self, value: object, at: KeyPath) -> Mapping[str, object] | None:
        if isinstance(value, dict):
            return value
        self.problem(at, f"must be a table, not {type_name(value)}")
        return None

    def fields(self, value: object, schema: Mapping[str, type], at: KeyPath) -> dict[str, Any]:
        """The keys of table ``value`` that exist in ``schema`` and have the right type."""
        table = self.table(value, at)
        if table is None:
            return {}
        self.unknown_keys(table, list(schema), at)
        good: dict[str, Any] = {}
        for key, item in table.items():
            wanted = schema.get(key)
            if wanted is None:
                continue
            if isinstance(item, wanted) and not (wanted is int and isinstance(item, bool)):
                good[key] = item
            else:
                self.problem((*at, key), f"must be {_WANTED[wanted]}, not {type_name(item)}")
        return good

    def in_range(self, fields: dict[str, object], key: str, at: KeyPath) -> None:
        low, high = _LIMITS[key]
        value = fields[key]
        assert isinstance(value, int)
        if not low <= value <= high:
            self.problem(at, f"must be between {low} and {high}, not {value}")
            del fields[key]

    def keymap(self, value: object, binding_ids: Collection[str] | None) -> dict[str, str]:
        """``[keys]``: binding id -> keys; nested tables are read as dotted ids."""
        table = self.table(value, ("keys",))
        keymap: dict[str, str] = {}
        pending: list[tuple[tuple[str, ...], Mapping[str, object]]] = (
            [((), table)] if table is not None else []
        )
        while pending:
            prefix, current = pending.pop()
            for key, item in current.items():
                path: KeyPath = ("keys", *prefix, key)
                binding = ".".join((*prefix, key))
                if isinstance(item, dict):
                    pending.append(((*prefix, key), item))
                elif not isinstance(item, str):
                    self.problem(path, f"must be a string of keys, not {type_name(item)}")
                elif binding_ids is not None and binding not in binding_ids:
                    close = difflib.get_close_matches(binding, list(binding_ids), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    self.problem(path, f"no binding has the id {binding!r}{hint}")
                elif not _valid_keys(item):
                    self.problem(path, f"{item!r} is not a comma-separated list of keys")
                else:
                    keymap[binding] = ",".join(part.strip() for part in item.split(","))

        return keymap

    def connections(self, value: object) -> list[dict[str, Any]]:
        if isinstance(value, list):
            self.problem(
                ("connections",),
                "use one [connections.NAME] table per connection, not [[connections]]",
            )
            return []
        table = self.table(value, ("connections",))
        if table is None:
            return []
        entries: list[dict[str, Any]] = []
        for name, item in table.items():
            entry = self.connection(name, item)
            if entry is not None:
                entries.append(entry)
        return entries

    def connection(self, name: str, value: object) -> dict[str, Any] | None:
        at: KeyPath = ("connections", name)
        table = self.table(value, at)
        if table is None:
            return None
        if not name.strip() or any(ch < " " for ch in name):
            self.problem(at, "a connection name must be non-empty printable text")
        if "password" in table:
            self.problem(
                (*at, "password"),
                "passwords are not stored in the config file; put it in an environment "
                'variable and set password_env = "VARIABLE_NAME" (or use ~/.pgpass, or '
                "let dbtui prompt for it)",
            )
        if "name" in table:
            self.problem(
                (*at, "name"), f"the name is the table key: [connections.{key_text((name,))}]"
            )
        rest = {k: v for k, v in table.items() if k not in ("password", "name")}
        fields = self.fields(rest, CONNECTION_FIELDS, at)
        if "statement_timeout_ms" in fields:
            self.in_range(fields, "statement_timeout_ms", (*at, "statement_timeout_ms"))
        problems_before = len(self.problems)
        self.connection_values(fields, at, "url" in table)
        if len(self.problems) != problems_before or "url" not in fields:
            return None
        return {"name": name, "line": self.layout.line_of(at), **fields}

    def connection_values(self, fields: dict[str, object], at: KeyPath, has_url: bool) -> None:
        url = fields.get("url")
        if not has_url:
            self.problem(at, "a saved connection needs a url")
        elif isinstance(url, str):
            self.check_url(url, (*at, "url"), fields.get("password_env"))
        env = fields.get("password_env")
        if isinstance(env, str) and not _ENV_NAME.fullmatch(env):
            self.problem(
                (*at, "password_env"),
                "must be the NAME of an environment variable (letters, digits, _), not a password",
            )
        color = fields.get("color")
        if isinstance(color, str) and not _COLOR.fullmatch(color):
            self.problem((*at, "color"), f"{color!r} is not a colour (#rgb, #rrggbb or a name)")
        for key in ("redis_delimiter", "default_schema", "default_database"):
            if fields.get(key) == "":
                self.problem((*at, key), "must not be empty")

    def check_url(self, url: str, at: KeyPath, password_env: object) -> None:
        masked = mask_password(url)
        if masked != url:
            self.problem(
                at,
                f"the URL holds a password ({masked}); remove it and set "
                'password_env = "VARIABLE_NAME" instead',
            )
            return
        try:
            engine = engine_of(url)
        except ConnectError as exc:
            self.problem(at, exc.message)
            return
        if engine == "sqlite" and password_env is not None:
            self.problem((*at[:-1], "password_env"), "SQLite files have no password")


def _valid_keys(keys: str) -> bool:
    """``"f5, ctrl+enter"``: non-empty comma-separated key names without inner spaces."""
    parts = [part.strip() for part in keys.split(",")]
    return all(part and not any(ch.isspace() for ch in part) for part in parts)
