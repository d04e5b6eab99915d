"""Writing saved connections back to the config file (the connection manager).

tomllib cannot write, and re-emitting the whole document would drop the
user's comments and layout. So edits are surgical: the lines of one
``[connections.NAME]`` table are cut out (their positions come from
:mod:`dbtui.core.toml_layout`) and a freshly emitted table is put in their
place, or appended at the end for a new connection. Everything else in the
file stays byte for byte. The result is parsed and checked again before it
replaces the file, atomically (temporary file + ``os.replace``) and with mode
0600.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from dbtui.core.config import Config, ConfigError, SavedConnection, config_path, parse_config
from dbtui.core.config_schema import CONNECTION_FIELDS, ConfigProblem, key_text, toml_string
from dbtui.core.toml_layout import KeyPath, Layout, scan_layout


def emit_connection(entry: SavedConnection) -> str:
    """The ``[connections.NAME]`` table for ``entry``, ending with a newline.

    Keys left at their default (``None``, ``read_only = false``) are omitted.
    """
    lines = [f"[{key_text(('connections', entry.name))}]"]
    for key in CONNECTION_FIELDS:
        value = getattr(entry, key)
        if value is None or value is False:
            continue
        if isinstance(value, bool):
            lines.append(f"{key} = true")
        elif isinstance(value, int):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f"{key} = {toml_string(str(value))}")
    return "\n".join(lines) + "\n"


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
            file is invalid already, or the connection sits inside an inline
            table that cannot be edited line by line.
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
    block = emit_connection(entry)
    if config.connection(target) is None:
        new_text = _append(text, block)
    else:
        new_text = _replace_table(text, path, ("connections", target), block)
    saved = parse_config(new_text, path)
    if saved.connection(entry.name) != entry:  # pragma: no cover - a bug in the emitter
        raise ConfigError(f"{path}: writing connection {entry.name!r} would not round-trip")
    _write(path, new_text)
    return saved


def delete_connection(path: Path | None, name: str) -> Config:
    """Remove saved connection ``name`` from the config file.

    Returns:
        The config as re-read from the new text.

    Raises:
        ConfigError: there is no such connection, the file is invalid, or the
            connection sits inside an inline table.
    """
    path = config_path() if path is None else path
    text = _read(path)
    config = parse_config(text, path) if text.strip() else Config(path=path)
    if config.connection(name) is None:
        raise ConfigError(f"no saved connection named {name!r} in {path}")
    new_text = _replace_table(text, path, ("connections", name), "")
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


def _append(text: str, block: str) -> str:
    if not text.strip():
        return block
    return text.rstrip("\n") + "\n\n" + block


def _replace_table(text: str, path: Path, table: KeyPath, block: str) -> str:
    """``text`` with the lines defining ``table`` removed and ``block`` in their place.

    A table written as a ``[header]`` section is replaced where it stands; one
    written as dotted keys or an inline table inside another section is
    removed and ``block`` is appended at the end (a header there could
    capture the keys that follow it).
    """
    layout = scan_layout(text)
    _refuse_inline(layout, path, table)
    spans = [s for s in layout.under(table) if s.top_level]
    removed = {n for s in spans for n in range(s.first_line, s.last_line + 1)}
    lines = text.splitlines(keepends=True)
    first = min(removed) - 1
    kept = [line for number, line in enumerate(lines, 1) if number not in removed]
    in_place = any(s.header and s.path == table for s in spans)
    if in_place and block:
        kept.insert(first, block)
    elif block:
        return _append(_tidy(kept, first), block)
    return _tidy(kept, first)


def _refuse_inline(layout: Layout, path: Path, table: KeyPath) -> None:
    for span in layout.spans:
        inside = len(span.path) < len(table) and table[: len(span.path)] == span.path
        if inside and not span.header:
            raise ConfigError(
                f"{path}, line {span.first_line}: {key_text(table)} is written inside an "
                "inline table; rewrite it as a [connections.NAME] table to edit it here"
            )


def _tidy(lines: list[str], at: int) -> str:
    """Join ``lines``, dropping one blank line where a cut left two in a row at ``at``."""
    if 0 < at < len(lines) and not lines[at - 1].strip() and not lines[at].strip():
        del lines[at]
    text = "".join(lines)
    return text if text.strip() else ""


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
