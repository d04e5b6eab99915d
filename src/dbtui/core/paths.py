"""Where dbtui keeps its files (platformdirs; overridable through XDG_* variables)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "dbtui"


def data_dir() -> Path:
    """User data directory (demo database, history, editor buffers); created on demand."""
    path = platformdirs.user_data_path(APP_NAME)
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """User config directory (``config.toml``); not created here."""
    return platformdirs.user_config_path(APP_NAME)
