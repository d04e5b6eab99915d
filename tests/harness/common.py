"""Shared plumbing: free ports, waiting, log tails, child processes and exit-time cleanup."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

LOOPBACK = "127.0.0.1"
"""Every harness server listens on this address only."""

START_TIMEOUT = 60.0
"""Seconds a server gets to become ready before the harness gives up."""

_PR_SET_PDEATHSIG = 1
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


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGTERM us when the test process dies.

    This covers the case no finalizer or atexit hook can: pytest being SIGKILLed.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    argv: Sequence[str], *, log: Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a server child with output appended to ``log``, no stdin, dying with us.

    Raises:
        HarnessError: the executable could not be run at all.
    """
    try:
        with log.open("ab") as out:
            return subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
    except OSError as exc:
        raise HarnessError(f"cannot run {argv[0]}: {exc}") from exc


OWNER_FILE = "owner.pid"
"""Holds the id of the test process that owns a harness temp dir."""


def make_owned_dir(prefix: str, root: str | None = None) -> Path:
    """``mkdtemp`` a harness dir recording our pid, so a later run can reap it if we die."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    (path / OWNER_FILE).write_text(str(os.getpid()))
    return path


def orphaned_dirs(prefix: str, root: str | None = None) -> list[Path]:
    """Harness dirs named ``prefix*`` whose owning test process no longer exists.

    Dirs of test sessions running right now (other users of the machine) are never returned.
    """
    found = []
    for owner in Path(root or tempfile.gettempdir()).glob(f"{prefix}*/{OWNER_FILE}"):
        try:
            pid = int(owner.read_text().strip())
        except (OSError, ValueError):
            continue
        if not pid_alive(pid):
            found.append(owner.parent)
    return found


def reap_orphaned_dirs(prefix: str, root: str | None = None) -> None:
    """Delete the dirs :func:`orphaned_dirs` finds (their servers died with their owner)."""
    for path in orphaned_dirs(prefix, root):
        shutil.rmtree(path, ignore_errors=True)


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists (it may belong to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
