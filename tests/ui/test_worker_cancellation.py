"""Jobs that loop stop when their worker is cancelled (Textual's ``is_cancelled``)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from textual.app import App
from textual.message import Message
from textual.worker import get_current_worker

from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.ui import jobs


async def test_a_cancelled_script_stops_before_its_next_statement(tmp_path: Path) -> None:
    path = tmp_path / "cancel.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
    driver = open_driver(spec_from_url(f"sqlite://{path}"))
    statements = driver.split("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);")
    posted: list[Message] = []
    finished = threading.Event()

    def script(cancel_first: bool) -> None:
        if cancel_first:
            get_current_worker().cancel()
        jobs.run_script(posted.append, 0, driver, statements, None)
        finished.set()

    app: App[None] = App()
    try:
        async with app.run_test():
            app.run_worker(lambda: script(True), thread=True, exit_on_error=False)
            await asyncio.to_thread(finished.wait, 10)
        assert finished.is_set()
        assert posted == [], "a cancelled worker reports nothing"
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,), "nothing ran"
        jobs.run_script(posted.append, 0, driver, statements, None)  # outside a worker: runs
        assert len(posted) == 2
    finally:
        driver.close()


def test_cancelled_is_false_outside_a_worker() -> None:
    assert jobs.cancelled() is False
