"""The user's TOML config: UI settings, key remaps and saved connections.

The file lives at ``$DBTUI_CONFIG`` or ``<user config dir>/config.toml``
(:func:`config_path`); a missing file means defaults. Validation is strict:
an unknown key or a value of the wrong type anywhere is a :class:`ConfigError`
whose message names the key and its line in the file. Layout::

    [ui]
    theme = "textual-light"          # a Textual theme name (the UI checks it exists)
    statement_timeout_ms = 30000     # 0 disables; default: the driver's own
    page_size = 500                  # rows fetched per page
    connect_timeout = 10             # seconds to wait for each server (--connect-timeout)
    confirm_rows_over = 100          # a write changing more rows/documents asks first

    [keys]                           # binding id -> keys, as App.set_keymap takes them
    "editor.run" = "f5,ctrl+enter"   # quote dotted ids (an unquoted editor.run also works)

    [connections.prod]               # one table per saved connection; the key is its name
    url = "postgresql://app@db.example.com/shop"
    password_env = "PROD_PG_PASSWORD"  # name of an environment variable; never a password
    color = "#d04040"
    read_only = true
    default_schema = "sales"
    statement_timeout_ms = 5000      # overrides [ui] for this connection

Secrets never live in the file: a ``password`` key is refused, and so is a
URL holding a password. Passwords come from ``password_env`` (read only by
:func:`saved_spec`, at connect time), libpq's ``.pgpass``/service files, or
the interactive prompt.
"""

from __future__ import annotations

import difflib
import os
import stat
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import msgspec
import tomlkit
from tomlkit.items import AoT, InlineTable, Table

from dbtui.core import paths
from dbtui.core.config_schema import ConfigProblem, KeyPath, UiConfig, check_document, key_text
from dbtui.core.errors import DbtuiError
from dbtui.core.spec import ConnectionSpec, is_keyword_conninfo, spec_from_url

CONFIG_ENV = "DBTUI_CONFIG"
"""Environment variable holding an alternative config file path."""

__all__ = [
    "CONFIG_ENV",
    "Config",
    "ConfigError",
    "ConfigProblem",
    "SavedConnection",
    "UiConfig",
    "config_path",
    "load_config",
    "parse_config",
    "password_from_env",
    "saved_spec",
    "with_password",
]


class ConfigError(DbtuiError):
    """The config file is unreadable or invalid.

    Attributes:
        problems: Every problem found, each with its line; the message lists
            them one per line (the first line alone is a fair summary).
    """

    default_title = "Invalid config"

    def __init__(self, message: str, problems: tuple[ConfigProblem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class SavedConnection:
    """One ``[connections.NAME]`` table. The URL never holds a password.

    Attributes:
        name: The table key; ``dbtui NAME`` opens it.
        url: Connection URL without a password.
        color: A colour for the connection's tab/border (``#rrggbb`` or a
            colour name; the UI interprets it), or ``None``.
        read_only: Open in read-only mode.
        default_schema: PostgreSQL schema to select/expand first.
        default_database: MongoDB database (or Redis db) to select first.
        redis_delimiter: Separator of the Redis key tree (default ``:``).
        password_env: Name of an environment variable holding the password.
        statement_timeout_ms: Overrides ``[ui] statement_timeout_ms``.
        line: Line of the file where the connection is defined (for
            messages); ``None`` for one not read from a file.
    """

    name: str
    url: str
    color: str | None = None
    read_only: bool = False
    default_schema: str | None = None
    default_database: str | None = None
    redis_delimiter: str | None = None
    password_env: str | None = None
    statement_timeout_ms: int | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Config:
    """The whole validated config.

    Attributes:
        path: Where it was read from (it may not exist).
        exists: False when the file is missing and everything is a default.
        ui: The ``[ui]`` settings.
        keys: Binding id -> keys (``"f5,ctrl+enter"``), for ``App.set_keymap``.
        connections: Saved connections in file order.
        warnings: Problems that do not stop dbtui (a file readable by others),
            each a sentence to show the user once.
    """

    path: Path
    exists: bool = False
    ui: UiConfig = field(default_factory=UiConfig)
    keys: Mapping[str, str] = field(default_factory=dict)
    connections: tuple[SavedConnection, ...] = ()
    warnings: tuple[str, ...] = ()

    def connection(self, name: str) -> SavedConnection | None:
        """The saved connection called ``name`` (exact match), or ``None``."""
        return next((c for c in self.connections if c.name == name), None)

    @property
    def connection_names(self) -> list[str]:
        """Names of the saved connections, in file order."""
        return [c.name for c in self.connections]


def config_path() -> Path:
    """``$DBTUI_CONFIG`` (``~`` expanded) when set and non-empty, else the default location."""
    override = os.environ.get(CONFIG_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return paths.config_dir() / "config.toml"


def load_config(path: Path | None = None, *, binding_ids: Collection[str] | None = None) -> Config:
    """Read and validate the config file.

    Args:
        path: The file; default :func:`config_path`. A missing file gives a
            default :class:`Config` (``exists=False``).
        binding_ids: The binding ids the UI defines. When given, a ``[keys]``
            entry naming another id is an error (with its line); when
            ``None`` any id is accepted and the UI must check them.

    Raises:
        ConfigError: the file cannot be read, is not TOML, or breaks the schema.
    """
    path = config_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except FileNotFoundError:
        return Config(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc})") from exc
    config = parse_config(text, path, binding_ids=binding_ids)
    if mode & 0o077:
        warning = (
            f"{path} is accessible to other users (mode {stat.S_IMODE(mode):04o}); "
            f"run: chmod 600 {path}"
        )
        config = replace(config, warnings=(*config.warnings, warning))
    return config


def parse_config(text: str, path: Path, *, binding_ids: Collection[str] | None = None) -> Config:
    """Validate config ``text`` (the content of ``path``) without touching the disk.

    Raises:
        ConfigError: as :func:`load_config`.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    ui, keys, tables, found = check_document(data, binding_ids)
    lines = line_map(text) if found or tables else {}
    if found:
        problems = [ConfigProblem(line_of(lines, at), key_text(at), why) for at, why in found]
        problems.sort(key=lambda problem: problem.line or 0)
        raise ConfigError("\n".join(f"{path}, {p}" for p in problems), tuple(problems))
    saved = tuple(
        SavedConnection(
            name, line=line_of(lines, ("connections", name)), **msgspec.structs.asdict(t)
        )
        for name, t in tables.items()
    )
    return Config(path=path, exists=True, ui=ui, keys=keys, connections=saved)


def line_map(text: str) -> dict[KeyPath, int]:
    """The first line of every key, table header and array element of TOML ``text``.

    tomlkit keeps no positions but renders what it parsed back byte for byte:
    a numbered marker is put before every item, the document rendered, and
    each marker's line read off. ``{}`` when tomlkit cannot parse ``text``.
    """
    try:
        document = tomlkit.parse(text)
    except (tomlkit.exceptions.TOMLKitError, ValueError):
        return {}
    paths: list[KeyPath] = []

    def mark(path: KeyPath, item: Any) -> None:
        item.trivia.indent = f"\0{len(paths)}\0{item.trivia.indent}"
        paths.append(path)
        if isinstance(item, Table | InlineTable):
            walk(path, item.value.body)
        elif isinstance(item, AoT):
            for index, element in enumerate(item.body):
                mark((*path, index), element)

    def walk(at: KeyPath, body: list[tuple[Any, Any]]) -> None:
        for key, item in body:
            if key is not None:
                mark((*at, key.key), item)

    walk((), document.body)
    rendered = document.as_string()
    lines: dict[KeyPath, int] = {}
    for number, path in enumerate(paths):
        found = rendered.find(f"\0{number}\0")
        if found >= 0:  # a table made only by dotted keys renders no marker
            line = rendered.count("\n", 0, found) + 1
            lines[path] = min(line, lines.get(path, line))
    return lines


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    """The line defining ``path``; else the first line below it (a table made by
    ``path.key = ...``); else that of the nearest enclosing key; else ``None``."""
    if path in lines:
        return lines[path]
    below = [line for at, line in lines.items() if at[: len(path)] == path]
    if below:
        return min(below)
    enclosing = (lines.get(path[:size]) for size in range(len(path) - 1, 0, -1))
    return next((line for line in enclosing if line is not None), None)


def password_from_env(
    entry: SavedConnection, environ: Mapping[str, str] | None = None
) -> str | None:
    """The password named by ``entry.password_env``; ``None`` when unset, empty or not configured."""
    if not entry.password_env:
        return None
    value = (os.environ if environ is None else environ).get(entry.password_env)
    return value or None


def saved_spec(
    config: Config, name: str, *, environ: Mapping[str, str] | None = None
) -> ConnectionSpec:
    """The :class:`ConnectionSpec` of saved connection ``name``, ready to connect.

    The password named by ``password_env`` is read from the environment now and
    put into the spec's URL, in memory only (percent-encoded into the URL's
    user info, which every driver reads). ``ConnectionSpec.url`` is excluded
    from ``repr`` and every screen uses ``display_url``, which masks it. When
    the variable is unset or empty, no password is added: the driver raises
    ``PasswordRequired`` if the server wants one and the usual prompt follows.

    Options set on the spec (``spec.option(key)``): ``delimiter`` (Redis key
    tree), ``statement_timeout`` (PostgreSQL, milliseconds as text),
    ``max_time_ms`` (MongoDB), ``default_schema``, ``default_database``, ``color``.

    Raises:
        ConfigError: no saved connection has that name.
    """
    entry = config.connection(name)
    if entry is None:
        known = ", ".join(config.connection_names) or "none"
        hint = difflib.get_close_matches(name, config.connection_names, n=1)
        did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConfigError(
            f"no saved connection named {name!r}{did_you_mean} in {config.path}; saved: {known}"
        )
    password = password_from_env(entry, environ)
    url = entry.url if password is None else with_password(entry.url, password)
    spec = spec_from_url(url, read_only=entry.read_only, name=entry.name)
    return replace(spec, options=_spec_options(entry, config.ui))


def _spec_options(entry: SavedConnection, ui: UiConfig) -> tuple[tuple[str, str], ...]:
    timeout = entry.statement_timeout_ms
    timeout = ui.statement_timeout_ms if timeout is None else timeout
    options = {
        "delimiter": entry.redis_delimiter,
        "statement_timeout": None if timeout is None else str(timeout),
        "max_time_ms": None if timeout is None else str(timeout),
        "default_schema": entry.default_schema,
        "default_database": entry.default_database,
        "color": entry.color,
    }
    return tuple((key, value) for key, value in options.items() if value is not None)


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` as the password of its user info (percent-encoded).

    Any password already there is replaced; the user name is kept (it may be
    empty, as in ``redis://:secret@host``). Redis socket URLs (``unix://``)
    take it as a ``password=`` query parameter, and libpq keyword strings
    (``service=prod``) as a quoted ``password='...'`` pair.
    """
    if is_keyword_conninfo(url):
        escaped = password.replace("\\", "\\\\").replace("'", "\\'")
        return f"{url} password='{escaped}'"
    parts = urlsplit(url)
    encoded = quote(password, safe="")
    if parts.scheme.lower() == "unix":
        base, _, query = url.partition("?")  # urlunsplit would drop the empty host
        kept = [p for p in query.split("&") if p and not p.startswith("password=")]
        return f"{base}?{'&'.join([*kept, f'password={encoded}'])}"
    userinfo, at, hosts = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0] if at else ""
    return urlunsplit(parts._replace(netloc=f"{user}:{encoded}@{hosts}"))
