"""The terminal check behind the hang-up watch, on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import threading

from dbtui.ui.hangup import terminal_gone, watch_terminal


def test_a_live_terminal_is_not_gone_and_a_closed_one_is() -> None:
    master, slave = pty.openpty()
    try:
        assert not terminal_gone(slave)
        os.close(master)
        assert terminal_gone(slave)
    finally:
        os.close(slave)


def test_a_file_that_is_no_terminal_is_not_watched(tmp_path: object) -> None:
    read_end, write_end = os.pipe()
    try:
        called = threading.Event()
        stop = watch_terminal(read_end, called.set, poll_s=0.01)
        assert not called.wait(0.2), "a pipe is not a terminal: nothing to hang up"
        stop.set()
    finally:
        os.close(read_end)
        os.close(write_end)


def test_the_watch_calls_back_once_when_the_terminal_goes() -> None:
    master, slave = pty.openpty()
    calls: list[int] = []
    called = threading.Event()

    def hung_up() -> None:
        calls.append(1)
        called.set()

    try:
        watch_terminal(slave, hung_up, poll_s=0.01)
        assert not called.wait(0.1)
        os.close(master)
        assert called.wait(5.0)
        assert not called.wait(0.1) or calls == [1]
    finally:
        os.close(slave)
