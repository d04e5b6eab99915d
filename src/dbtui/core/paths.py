"""Where dbtui keeps its files (platformdirs; overridable through XDG_* variables)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import platformdirs

APP_NAME = "dbtui"


def data_dir() -> Path:
    """User data directory (demo database, history, editor buffers); created on demand.

    Never raises: when it cannot be created the path is returned anyway, and each writer
    gets its own ``OSError`` when it writes (the UI says so once at start, see
    :func:`dbtui.ui.errors.data_dir_problem`).
    """
    path = platformdirs.user_data_path(APP_NAME)
    with contextlib.suppress(OSError):
        path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """User config directory (``config.toml``); not created here."""
    return platformdirs.user_config_path(APP_NAME)
