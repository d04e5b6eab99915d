"""Shared plumbing: free ports, waiting, log tails, child processes and exit-time cleanup."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

LOOPBACK = "127.0.0.1"
"""Every harness server listens on this address only."""

START_TIMEOUT = 60.0
"""Seconds a server gets to become ready before the harness gives up."""

_CLEANUPS: list[Callable[[], None]] = []


class HarnessError(RuntimeError):
    """A test server could not be started or stopped; the message includes its log tail."""


def free_port(*, below: int = 65536) -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago.

    Args:
        below: the port must be lower than this (Redis Cluster also needs ``port + 10000``).

    The port is released before returning, so another process may grab it; callers retry
    the start with a fresh port when that happens.
    """
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((LOOPBACK, 0))
            port = int(sock.getsockname()[1])
        if port < below and (below == 65536 or _is_free(port + 10000)):
            return port
    raise HarnessError(f"no free loopback port below {below}")


def _is_free(port: int) -> bool:
    """True when ``port`` can be bound on the loopback address right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout: float = START_TIMEOUT,
    alive: Callable[[], bool] = lambda: True,
) -> bool:
    """Poll ``ready()`` every 50 ms until it is true, ``alive()`` turns false, or time runs out.

    Returns:
        True when ready; False on timeout or when the watched process died.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return True
        if not alive():
            return ready()
        time.sleep(0.05)
    return False


def port_open(port: int) -> bool:
    """True when something accepts TCP connections on 127.0.0.1:``port``."""
    with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), timeout=0.5):
        return True
    return False


def log_tail(path: Path, lines: int = 40) -> str:
    """Last ``lines`` lines of a log file, or a note that it does not exist."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:]) or f"(log {path} is empty)"


def stop_process(proc: subprocess.Popen[bytes] | None, *, timeout: float = 10.0) -> None:
    """SIGTERM a child, then SIGKILL it if it has not exited within ``timeout`` seconds."""
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(timeout=timeout)


def spawn(argv: Sequence[str], *, log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start a server child with stdout and stderr appended to ``log`` and no stdin."""
    with log.open("ab") as out:
        return subprocess.Popen(
            list(argv), cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )


def require_binary(name: str, hint: str) -> str:
    """Absolute path of executable ``name``; raise HarnessError with an install hint if absent."""
    found = shutil.which(name)
    if found is None:
        raise HarnessError(f"{name} not found on PATH; {hint} (scripts/test installs it)")
    return found


def is_root() -> bool:
    """True when the tests run as root (PostgreSQL then has to run as the postgres user)."""
    return os.geteuid() == 0


def register_cleanup(fn: Callable[[], None]) -> None:
    """Run ``fn`` at interpreter exit too, in case a fixture finalizer never ran."""
    _CLEANUPS.append(fn)


def unregister_cleanup(fn: Callable[[], None]) -> None:
    """Forget a cleanup registered with :func:`register_cleanup` (after a normal stop)."""
    with contextlib.suppress(ValueError):
        _CLEANUPS.remove(fn)


@atexit.register
def _run_cleanups() -> None:
    """Stop whatever servers are still running when the interpreter exits."""
    while _CLEANUPS:
        fn = _CLEANUPS.pop()
        with contextlib.suppress(Exception):
            fn()
