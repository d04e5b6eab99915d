"""Typed text survives SIGKILL during steady typing and SIGHUP right after it.

The real ``dbtui`` runs in a pseudo-terminal (80x24, xterm-256color) with the test's
isolated HOME/XDG directories; keys are written to the terminal one every 50 ms,
then the process is killed and the saved editor buffer is read back through
:class:`~dbtui.core.buffers.BufferStore`, exactly as the next start would.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dbtui.core.buffers import BufferStore
from dbtui.core.history import connection_key
from dbtui.core.spec import spec_from_url
from dbtui.ui.starter import starter_text

KEY_INTERVAL = 0.05
"""Seconds between two typed characters (steady typing)."""
TYPING_SECONDS = 6.0
ALLOWED_LOSS_SECONDS = 2.0
"""The issue's bar: at most the last two seconds of typing may be missing."""
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


class Terminal:
    """A child process on a pty whose output is drained continuously (so it never blocks)."""

    def __init__(self, process: subprocess.Popen[bytes], master: int) -> None:
        self.process = process
        self.master = master
        self.output = bytearray()
        self.reading = True
        """False: the output is no longer read, as over a stalled SSH link."""
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if not ready or not self.reading:
                    if self.process.poll() is not None:
                        return
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.output.extend(chunk)

    def received(self) -> int:
        """Bytes the app has drawn so far."""
        with self._lock:
            return len(self.output)

    def wait_drawn(self, marker: bytes, timeout: float = 60.0) -> None:
        """Wait until ``marker`` was drawn, then a moment more (the cursor blinks, so output
        never goes quiet)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"dbtui exited: {bytes(self.output[-2000:])!r}"
            with self._lock:
                if marker in self.output:
                    break
            time.sleep(0.05)
        else:
            raise AssertionError(f"dbtui did not draw {marker!r} within {timeout} s")
        time.sleep(1.0)

    def type_steadily(self, seconds: float) -> str:
        """Type one character every :data:`KEY_INTERVAL` for ``seconds``; returns what was typed."""
        typed = []
        start = time.monotonic()
        number = 0
        while time.monotonic() - start < seconds:
            char = ALPHABET[number % len(ALPHABET)]
            os.write(self.master, char.encode())
            typed.append(char)
            number += 1
            next_at = start + number * KEY_INTERVAL
            time.sleep(max(0.0, next_at - time.monotonic()))
        return "".join(typed)

    def hang_up(self) -> None:
        """Close the terminal as a terminal emulator or sshd does: master gone, then SIGHUP."""
        os.close(self.master)
        self.master = -1
        os.kill(self.process.pid, signal.SIGHUP)

    def wait_exit(self, timeout: float = 30.0) -> int:
        """The exit status once the process has ended."""
        return self.process.wait(timeout=timeout)


@contextmanager
def dbtui_in_terminal(*args: str) -> Iterator[Terminal]:
    """Run ``python -m dbtui ARGS`` on a fresh 80x24 pty; killed at the end if still running."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    process = subprocess.Popen(
        [sys.executable, "-m", "dbtui", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    terminal = Terminal(process, master)
    try:
        yield terminal
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        if terminal.master >= 0:
            os.close(terminal.master)


def sqlite_file(tmp_path: Path) -> str:
    """A small SQLite database; returns its ``sqlite://`` URL."""
    path = tmp_path / "typing.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    return f"sqlite://{path}"


def lost_characters(url: str, typed: str) -> int:
    """How many of the typed characters (typed at the start of the editor) were not saved."""
    spec = spec_from_url(url)
    saved = BufferStore(connection_key(spec)).load()
    starter = starter_text(spec)
    text = saved[0] if saved else starter
    assert text.endswith(starter), f"the starter text is intact: {text[:200]!r}"
    kept = text[: len(text) - len(starter)]
    assert typed.startswith(kept), f"the saved text is a prefix of what was typed: {kept!r}"
    return len(typed) - len(kept)


def test_sigkill_during_steady_typing_loses_at_most_two_seconds(tmp_path: Path) -> None:
    url = sqlite_file(tmp_path)
    with dbtui_in_terminal(url) as terminal:
        terminal.wait_drawn(b"typing.db")
        typed = terminal.type_steadily(TYPING_SECONDS)
        os.kill(terminal.process.pid, signal.SIGKILL)
        assert terminal.wait_exit() == -signal.SIGKILL
    lost = lost_characters(url, typed)
    allowed = int(ALLOWED_LOSS_SECONDS / KEY_INTERVAL)
    assert len(typed) >= 2 * allowed, "enough was typed for the bound to mean something"
    assert lost <= allowed, f"{lost} of {len(typed)} characters lost (allowed {allowed})"


def test_terminal_closed_right_after_typing_saves_everything(tmp_path: Path) -> None:
    url = sqlite_file(tmp_path)
    with dbtui_in_terminal(url) as terminal:
        terminal.wait_drawn(b"typing.db")
        typed = terminal.type_steadily(2.0)
        time.sleep(0.05)  # "right after": no quiet half second has passed
        terminal.hang_up()
        status = terminal.wait_exit()
    assert status == 128 + signal.SIGHUP, (
        f"dbtui left through its handler, not the default: {status}"
    )
    assert lost_characters(url, typed) == 0


def test_sigterm_saves_everything(tmp_path: Path) -> None:
    url = sqlite_file(tmp_path)
    with dbtui_in_terminal(url) as terminal:
        terminal.wait_drawn(b"typing.db")
        typed = terminal.type_steadily(1.0)
        time.sleep(0.05)
        os.kill(terminal.process.pid, signal.SIGTERM)
        status = terminal.wait_exit()
    assert status == 128 + signal.SIGTERM, f"dbtui left through its handler: {status}"
    assert lost_characters(url, typed) == 0


def test_a_terminal_that_stopped_reading_does_not_keep_dbtui_alive(tmp_path: Path) -> None:
    """Nobody reads the terminal any more (a stalled link, a killed multiplexer): Textual's
    writer blocks, and the event loop with it; dbtui still ends, its saved text intact.

    Keys typed into the stalled terminal may never reach the editor (the loop is blocked), so
    only what was saved is checked: a prefix of what was typed, never a damaged file."""
    url = sqlite_file(tmp_path)
    with dbtui_in_terminal(url) as terminal:
        terminal.wait_drawn(b"typing.db")
        terminal.reading = False
        typed = terminal.type_steadily(4.0)
        os.kill(terminal.process.pid, signal.SIGTERM)
        status = terminal.wait_exit(timeout=20)
    assert status == 128 + signal.SIGTERM, f"dbtui left through its handler: {status}"
    assert lost_characters(url, typed) <= len(typed)


def test_a_hang_up_without_sighup_still_saves_and_exits(tmp_path: Path) -> None:
    """The terminal goes away but no SIGHUP arrives (``runuser`` inside a killed tmux server
    swallows it): dbtui notices the dead terminal by itself, saves and leaves.

    The child runs in its own session without a controlling terminal, so closing the pty's
    master sends it no signal at all: only its own check can notice."""
    url = sqlite_file(tmp_path)
    with dbtui_in_terminal(url) as terminal:
        terminal.wait_drawn(b"typing.db")
        typed = terminal.type_steadily(1.0)
        time.sleep(0.3)
        os.close(terminal.master)
        terminal.master = -1
        status = terminal.wait_exit(timeout=20)
    assert status == 128 + signal.SIGHUP, f"dbtui left as on a hang-up: {status}"
    assert lost_characters(url, typed) == 0
