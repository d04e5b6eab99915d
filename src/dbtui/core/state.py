"""Small UI state remembered between runs (the chosen theme), in the user data directory.

Kept apart from the user's config file, which dbtui never rewrites behind their back.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile

from dbtui.core import paths

STATE_FILE = "state.json"


def load_state() -> dict[str, object]:
    """The remembered state; empty when there is none or it is unreadable."""
    try:
        data = json.loads((paths.data_dir() / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(changes: dict[str, object]) -> None:
    """Merge ``changes`` into the state file, atomically; failures are ignored."""
    state = {**load_state(), **changes}
    with contextlib.suppress(OSError):
        directory = paths.data_dir()
        fd, temp = tempfile.mkstemp(prefix=".state-", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
        os.replace(temp, directory / STATE_FILE)
