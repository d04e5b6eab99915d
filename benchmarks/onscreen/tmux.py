"""Programs in detached tmux panes, timed by what reaches the screen.

Every pane lives on a private tmux server (``tmux -L <socket>``), so the benchmark never
touches anyone's sessions. The clock of a measurement starts right before the key press
(``send-keys``) or the launch (``new-session``) and stops at the first ``capture-pane``
that shows the marker; the pane is polled every :data:`POLL_S` seconds.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence

POLL_S = 0.004
"""Pause between two ``capture-pane`` calls (each call itself takes about 2 ms)."""

SOCKET = f"dbtui-bench-{os.getpid()}"

Check = Callable[[str], bool]


class ScreenTimeout(RuntimeError):
    """The marker did not appear in time; the message holds the last screen."""


SERVER_ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith(("PYTHON", "VIRTUAL_ENV", "TMUX"))
}
"""The private tmux server's environment, which every pane inherits: no ``PYTHON*``
variables (``PYTHONDONTWRITEBYTECODE=1`` would make every dbtui launch compile its
sources again), no virtualenv, no outer tmux."""


def tmux(*args: str, check: bool = True) -> str:
    """Run ``tmux -L SOCKET args`` and return its stdout."""
    proc = subprocess.run(
        ["tmux", "-L", SOCKET, *args],
        capture_output=True,
        text=True,
        check=False,
        env=SERVER_ENV,
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"tmux {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def ensure_server() -> None:
    """Start the private server with a keeper session, so that it stays up between panes.

    Without it the server exits when the last pane closes, and a ``new-session`` sent
    meanwhile fails with "server exited unexpectedly".
    """
    if subprocess.run(
        ["tmux", "-L", SOCKET, "has-session", "-t", "keeper"],
        capture_output=True,
        check=False,
        env=SERVER_ENV,
    ).returncode:
        tmux("new-session", "-d", "-s", "keeper", "-x", "20", "-y", "5", "sleep 86400")


def kill_server() -> None:
    """Stop the private tmux server (and every pane still running in it)."""
    tmux("kill-server", check=False)


def contains(*markers: str) -> Check:
    """A check true when any of ``markers`` is on the screen."""
    return lambda screen: any(marker in screen for marker in markers)


class Pane:
    """One program in its own tmux session of ``width`` x ``height``."""

    counter = 0

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        width: int = 120,
        height: int = 40,
        cwd: str | None = None,
    ) -> None:
        Pane.counter += 1
        self.name = f"p{Pane.counter}"
        self.argv = list(argv)
        self.env = dict(env)
        self.width, self.height = width, height
        self.cwd = cwd
        self.last = ""

    def launch(self) -> float:
        """Start the program; returns the ``perf_counter`` time just before starting it."""
        command = "exec " + shlex.join(self.argv)
        env_args: list[str] = []
        for key, value in self.env.items():
            env_args += ["-e", f"{key}={value}"]
        args = ["new-session", "-d", "-s", self.name, "-x", str(self.width)]
        args += ["-y", str(self.height), *env_args]
        if self.cwd:
            args += ["-c", self.cwd]
        ensure_server()
        started = time.perf_counter()
        tmux(*args, command)
        tmux("set-option", "-t", self.name, "remain-on-exit", "on", check=False)
        return started

    def screen(self, styled: bool = False) -> str:
        """The visible text of the pane now (with colours and attributes when ``styled``)."""
        args = ["capture-pane", "-p", "-t", self.name] + (["-e"] if styled else [])
        self.last = tmux(*args, check=False)
        return self.last

    def wait_change(self, before: str, since: float, timeout: float = 60.0) -> float:
        """Poll the styled screen until it differs from ``before``; seconds from ``since``.

        For changes that only move a highlight (a cursor), which plain text does not show.
        """
        while True:
            screen = self.screen(styled=True)
            now = time.perf_counter()
            if screen != before:
                return now - since
            if now - since > timeout:
                raise ScreenTimeout(f"{self.argv[0]}: screen unchanged for {timeout:.0f} s")
            time.sleep(POLL_S)

    def wait(self, check: Check, since: float, timeout: float = 120.0) -> float:
        """Poll until ``check(screen)``; seconds from ``since`` (a ``perf_counter`` value).

        Raises:
            ScreenTimeout: not seen within ``timeout`` seconds of ``since``.
        """
        while True:
            screen = self.screen()
            now = time.perf_counter()
            if check(screen):
                return now - since
            if now - since > timeout:
                raise ScreenTimeout(
                    f"{self.argv[0]}: marker not seen in {timeout:.0f} s:\n{screen}"
                )
            time.sleep(POLL_S)

    def settle(self, check: Check, timeout: float = 120.0) -> None:
        """Wait (untimed) until ``check`` holds."""
        self.wait(check, time.perf_counter(), timeout)

    def keys(self, *keys: str) -> float:
        """Send tmux key names (``F5``, ``Enter``, ``C-s``); the time just before sending."""
        started = time.perf_counter()
        tmux("send-keys", "-t", self.name, *keys)
        return started

    def type(self, text: str) -> float:
        """Type ``text`` literally; the time just before sending.

        A trailing ``;`` would end the tmux command, so it is sent as a hex key.
        """
        started = time.perf_counter()
        body = text.rstrip(";")
        if body:
            tmux("send-keys", "-t", self.name, "-l", body)
        for _ in range(len(text) - len(body)):
            tmux("send-keys", "-t", self.name, "-H", "3b")
        return started

    def pid(self) -> int:
        """Process id of the program in the pane."""
        return int(tmux("display-message", "-p", "-t", self.name, "#{pane_pid}").strip())

    def close(self) -> None:
        """Kill the session (and the program)."""
        tmux("kill-session", "-t", self.name, check=False)
