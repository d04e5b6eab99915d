"""Editor buffers: saved atomically, restored in tab order, intact after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dbtui.core.buffers import STALE_TEMP_SECONDS, BufferStore
from dbtui.core.history import connection_key
from dbtui.core.spec import spec_from_url


def test_buffers_live_in_the_data_dir_per_connection() -> None:
    spec = spec_from_url("postgresql://app:hunter2@db/shop")
    store = BufferStore(connection_key(spec))
    store.save(0, "SELECT 1;")
    assert store.directory.parent == Path(os.environ["XDG_DATA_HOME"]) / "dbtui" / "buffers"
    assert "hunter2" not in str(store.directory)
    other = BufferStore(connection_key(spec_from_url("postgresql://app@db/other")))
    assert other.load() == []
    assert BufferStore(connection_key(spec)).load() == ["SELECT 1;"]


def test_text_round_trips_exactly(tmp_path: Path) -> None:
    store = BufferStore("k", directory=tmp_path)
    texts = ["", "SELECT 'ünï 🐘 שלום';\r\n-- crlf kept\r\n", "a\rb\n\n", "\x00\x1b[31m"]
    for index, text in enumerate(texts):
        store.save(index, text)
    assert store.load() == texts
    store.save(1, "changed")
    assert store.load()[1] == "changed"


def test_removing_a_tab_shifts_the_later_ones(tmp_path: Path) -> None:
    store = BufferStore("k", directory=tmp_path)
    for index, text in enumerate(["zero", "one", "two", "three"]):
        store.save(index, text)
    store.remove(1)
    assert store.indexes() == [0, 1, 2]
    assert store.load() == ["zero", "two", "three"]
    store.remove(2)
    store.remove(7)  # nothing there: no error
    assert store.load() == ["zero", "two"]
    store.replace_all(["b", "a", "c"])
    assert store.load() == ["b", "a", "c"]
    store.replace_all(["only"])
    assert store.load() == ["only"]
    with pytest.raises(ValueError, match="tab index"):
        store.save(-1, "x")


def test_stale_temporary_files_are_ignored_and_cleaned(tmp_path: Path) -> None:
    store = BufferStore("k", directory=tmp_path)
    store.save(0, "kept")
    stale = store.directory / ".tmp-stale"
    fresh = store.directory / ".tmp-fresh"
    stale.write_text("half a bu")
    fresh.write_text("being written")
    old = time.time() - STALE_TEMP_SECONDS - 10
    os.utime(stale, (old, old))
    assert store.load() == ["kept"]
    assert not stale.exists()
    assert fresh.exists()  # maybe another process's write in progress


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from dbtui.core.buffers import BufferStore

    store = BufferStore("k", directory=Path(sys.argv[1]))
    a = "A" * 3_000_000 + "\\nend A"
    b = "B" * 2_000_000 + "\\nend B"
    store.save(0, a)
    print("ready", flush=True)
    i = 0
    while True:
        store.save(0, b if i % 2 else a)
        i += 1
    """
)


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.13, 0.29, 0.41])
def test_a_buffer_survives_sigkill_mid_save(tmp_path: Path, delay: float) -> None:
    """Kill the writer at assorted moments: the file is always one whole version."""
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(delay)  # lands the kill somewhere in the write/fsync/rename loop
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    (text,) = BufferStore("k", directory=tmp_path).load()
    assert text in ("A" * 3_000_000 + "\nend A", "B" * 2_000_000 + "\nend B")
