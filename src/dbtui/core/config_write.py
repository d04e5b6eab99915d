"""Writing saved connections back to the config file (the connection manager).

Edits go through tomlkit, which keeps everything it does not change: the
user's comments, blank lines, key order and quoting. Saving an existing
connection sets or removes its keys in place (comments inside its table
stay); a new one is added under ``connections``; a deleted one's table goes
with the comments written inside it. The result is parsed and checked again
before it replaces the file, atomically (temporary file + ``os.replace``)
and with mode 0600.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any, cast

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import InlineTable

from dbtui.core.config import Config, ConfigError, SavedConnection, config_path, parse_config
from dbtui.core.config_schema import CONNECTION_FIELDS, ConfigProblem


def connection_values(entry: SavedConnection) -> dict[str, str | int | bool]:
    """The keys ``entry`` writes, in schema order; defaults (``None``, ``read_only = false``) left out."""
    values = {key: getattr(entry, key) for key in CONNECTION_FIELDS}
    return {key: value for key, value in values.items() if value is not None and value is not False}


def emit_connection(entry: SavedConnection) -> str:
    """The ``[connections.NAME]`` table for ``entry`` alone, as TOML text."""
    document = tomlkit.document()
    _put(document, entry, entry.name)
    return document.as_string()


def validate_connection(entry: SavedConnection) -> list[ConfigProblem]:
    """Problems that would stop ``entry`` from being saved (empty when it is fine).

    Each problem's ``key`` ends with the offending field (``connections.prod.url``),
    so a form can show the message next to that field.
    """
    try:
        parse_config(emit_connection(entry), Path("<connection>"))
    except ConfigError as exc:
        return list(exc.problems) or [ConfigProblem(None, entry.name, exc.message)]
    return []


def save_connection(
    path: Path | None, entry: SavedConnection, *, old_name: str | None = None
) -> Config:
    """Add ``entry`` to the config file, or replace the connection of the same name.

    Args:
        path: The config file (default :func:`~dbtui.core.config.config_path`);
            created, with its directory, when missing.
        entry: The connection to write.
        old_name: When renaming, the name the connection had; that table is
            replaced (and ``entry.name`` must not name another connection).

    Returns:
        The config as re-read from the new text.

    Raises:
        ConfigError: ``entry`` is invalid (see :func:`validate_connection`), the
            file is invalid already, or tomlkit cannot make the edit.
    """
    path = config_path() if path is None else path
    problems = validate_connection(entry)
    if problems:
        raise ConfigError("\n".join(str(p) for p in problems), tuple(problems))
    text = _read(path)
    config = parse_config(text, path) if text.strip() else Config(path=path)
    target = old_name if old_name is not None else entry.name
    if old_name not in (None, entry.name) and config.connection(entry.name) is not None:
        raise ConfigError(f"a connection named {entry.name!r} already exists in {path}")
    new_text = _edit(path, text, lambda document: _put(document, entry, target))
    saved = parse_config(new_text, path)
    if saved.connection(entry.name) != entry:
        raise ConfigError(f"{path}: writing connection {entry.name!r} would not round-trip")
    _write(path, new_text)
    return saved


def delete_connection(path: Path | None, name: str) -> Config:
    """Remove saved connection ``name`` from the config file.

    Returns:
        The config as re-read from the new text.

    Raises:
        ConfigError: there is no such connection, the file is invalid, or
            tomlkit cannot make the edit.
    """
    path = config_path() if path is None else path
    text = _read(path)
    config = parse_config(text, path) if text.strip() else Config(path=path)
    if config.connection(name) is None:
        raise ConfigError(f"no saved connection named {name!r} in {path}")
    new_text = _edit(path, text, lambda document: _tables(document).pop(name))
    saved = parse_config(new_text, path)
    _write(path, new_text)
    return saved


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc})") from exc


def _tables(document: tomlkit.TOMLDocument) -> MutableMapping[str, Any]:
    """The ``connections`` table of ``document``, added when missing."""
    if "connections" not in document:
        document["connections"] = tomlkit.table(is_super_table=True)
    return cast(MutableMapping[str, Any], document["connections"])


def _put(document: tomlkit.TOMLDocument, entry: SavedConnection, target: str) -> None:
    """Write ``entry`` over the connection called ``target`` (renaming it), or add it."""
    tables = _tables(document)
    values = connection_values(entry)
    if target not in tables:
        table = tomlkit.inline_table() if isinstance(tables, InlineTable) else tomlkit.table()
        table.update({key: tomlkit.item(value) for key, value in values.items()})
        tables[entry.name] = table
        return
    table = tables[target]
    for key in CONNECTION_FIELDS:
        if key in values:
            table[key] = tomlkit.item(values[key])
        elif key in table:
            del table[key]
    if target != entry.name:  # tomlkit cannot rename in place: the table moves to the end
        del tables[target]
        tables[entry.name] = table


def _edit(path: Path, text: str, change: Callable[[tomlkit.TOMLDocument], object]) -> str:
    """``text`` after ``change(document)`` on its tomlkit document, ending with one newline."""
    try:
        document = tomlkit.parse(text)
        change(document)
        new_text = document.as_string()
    except (TOMLKitError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: tomlkit cannot make this edit ({exc})") from exc
    return new_text.rstrip("\n") + "\n" if new_text.strip() else ""


def _write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, readable by its owner only (0600)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
