"""Notice a terminal that is gone even when no SIGHUP arrives.

A hang-up normally reaches dbtui as SIGHUP. It does not when a process between the
terminal and dbtui swallows it (``runuser``, ``su`` or ``sudo`` without a pty of their
own inside a multiplexer whose server was killed): dbtui then keeps running with its
terminal gone. After a hang-up the kernel answers every terminal request on the old
descriptor with EIO, so a daemon thread asks for the terminal's attributes once a second
and treats EIO as the hang-up it is.
"""

from __future__ import annotations

import errno
import termios
import threading
from collections.abc import Callable

POLL_S = 1.0
"""Seconds between two checks; a check is one ``tcgetattr`` system call."""


def terminal_gone(fd: int) -> bool:
    """The terminal on ``fd`` was hung up (EIO), as opposed to "not a terminal" (ENOTTY)."""
    try:
        termios.tcgetattr(fd)
    except termios.error as exc:
        return bool(exc.args) and exc.args[0] == errno.EIO
    return False


def watch_terminal(
    fd: int, on_hang_up: Callable[[], None], poll_s: float = POLL_S
) -> threading.Event:
    """Call ``on_hang_up`` once, from a daemon thread, when the terminal on ``fd`` is gone.

    Returns an event that stops the watch when set. Nothing is watched when ``fd`` is not a
    terminal to begin with (piped input, tests).
    """
    stop = threading.Event()
    try:
        termios.tcgetattr(fd)
    except termios.error:
        return stop

    def watch() -> None:
        while not stop.wait(poll_s):
            if terminal_gone(fd):
                on_hang_up()
                return

    threading.Thread(target=watch, name="dbtui-hangup-watch", daemon=True).start()
    return stop
