"""Editor buffers saved as the user types and restored on the next start.

Each connection gets a directory ``<data dir>/buffers/<key>/`` (the key from
:func:`dbtui.core.history.connection_key`: a hash of the connection's non-secret
identity, never anything derived from a password) holding
one file per editor tab, ``<tab index>.txt`` (UTF-8, text kept byte for byte,
line endings included). Every save writes a temporary file in the same
directory, flushes it to disk and renames it over the old one
(``os.replace`` is atomic), so a process killed at any moment leaves either
the previous text or the new one, never a truncated file.

Throttling (saving at most every second or so while typing) is the caller's
job; :meth:`BufferStore.save` writes immediately.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from dbtui.core import paths
from dbtui.core.history import safe_file_name

_SUFFIX = ".txt"
_TEMP_PREFIX = ".tmp-"
STALE_TEMP_SECONDS = 3600.0
"""Temporary files older than this (seconds) are debris of a killed process and are removed."""


class BufferStore:
    """The saved editor tabs of one connection.

    Args:
        connection_key: From :func:`dbtui.core.history.connection_key` (a hash of the
            non-secret identity; files of the old naming are migrated there).
        directory: Parent of the per-connection directories; default
            ``<data dir>/buffers``.
    """

    def __init__(self, connection_key: str, *, directory: Path | None = None) -> None:
        base = directory if directory is not None else paths.data_dir() / "buffers"
        self.directory = base / safe_file_name(connection_key)

    def _file(self, tab_index: int) -> Path:
        if tab_index < 0:
            raise ValueError(f"tab index must be >= 0, not {tab_index}")
        return self.directory / f"{tab_index}{_SUFFIX}"

    def save(self, tab_index: int, text: str) -> None:
        """Store ``text`` as the content of tab ``tab_index`` (0-based), atomically.

        Raises:
            OSError: the data directory is not writable (the caller shows it
                once and keeps going; the text is still in the editor).
        """
        target = self._file(tab_index)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise

    def indexes(self) -> list[int]:
        """Tab indexes that have a saved file, ascending."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        found = []
        for name in names:
            stem = name.removesuffix(_SUFFIX)
            if name.endswith(_SUFFIX) and stem.isdigit():
                found.append(int(stem))
        return sorted(found)

    def load(self) -> list[str]:
        """The saved tabs' texts in tab order (gaps closed); ``[]`` when nothing is saved.

        Also removes temporary files left behind by a killed process.
        """
        self._remove_stale_temps()
        texts = []
        for index in self.indexes():
            try:
                with self._file(index).open(
                    "r", encoding="utf-8", errors="replace", newline=""
                ) as f:
                    texts.append(f.read())
            except FileNotFoundError:  # removed by another process meanwhile
                continue
        return texts

    def remove(self, tab_index: int) -> None:
        """Forget tab ``tab_index``; the tabs after it move down one index, as in the UI."""
        with contextlib.suppress(FileNotFoundError):
            self._file(tab_index).unlink()
        for index in self.indexes():
            if index > tab_index:
                os.replace(self._file(index), self._file(index - 1))

    def replace_all(self, texts: Sequence[str]) -> None:
        """Make the store hold exactly ``texts`` as tabs ``0..len-1`` (after reordering tabs)."""
        for index, text in enumerate(texts):
            self.save(index, text)
        for index in self.indexes():
            if index >= len(texts):
                with contextlib.suppress(FileNotFoundError):
                    self._file(index).unlink()

    def _remove_stale_temps(self) -> None:
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return
        now = time.time()
        for entry in entries:
            if entry.name.startswith(_TEMP_PREFIX):
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(entry.path)
