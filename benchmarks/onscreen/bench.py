"""The run's shared state: a temp dir, a clean environment per tool, and the servers."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from onscreen import tmux
from onscreen.report import Sizes
from onscreen.setup import REPO

sys.path.insert(0, str(REPO / "tests"))

from harness.postgres import PostgresServer
from harness.redis import RedisServer

PG_ROWS = {"launch", "pg-first-rows", "export", "stream", "plan-open", "plan-metric"}
REDIS_ROWS = {"redis-tree", "redis-keypress"}


class Bench:
    """Temp dir, per-tool environments and the servers the chosen rows need."""

    def __init__(self, sizes: Sizes, rows: Sequence[str]) -> None:
        self.sizes = sizes
        self.rows = tuple(rows)
        self.tmp = Path(tempfile.mkdtemp(prefix="dbtui-onscreen-"))
        self.home = self.tmp / "home"
        self.home.mkdir()
        self.pg: PostgresServer | None = None
        self.redis: RedisServer | None = None

    def env(self, **extra: str) -> dict[str, str]:
        """A clean environment: private HOME and XDG dirs, no pager, a 256-colour TERM."""
        env = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "PAGER": "cat",
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "LC_ALL": "C.UTF-8",
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        }
        env.update(extra)
        return env

    def pane(self, argv: Sequence[str], width: int = 120, height: int = 40) -> tmux.Pane:
        """A tmux pane running ``argv`` in :meth:`env` (not started yet)."""
        return tmux.Pane(argv, env=self.env(), width=width, height=height, cwd=str(self.tmp))

    def pg_url(self, dbname: str = "postgres") -> str:
        """URL of the benchmark's PostgreSQL database (started by :meth:`servers`)."""
        assert self.pg is not None
        return self.pg.url_for(dbname=dbname)

    def redis_port(self) -> int:
        """Port of the benchmark's redis-server."""
        assert self.redis is not None
        return self.redis.port

    @contextlib.contextmanager
    def servers(self) -> Iterator[Bench]:
        """Start PostgreSQL and/or Redis as the rows need; stop them and the panes after."""
        try:
            if PG_ROWS & set(self.rows):
                self.pg = PostgresServer()
                self.pg.start()
            if REDIS_ROWS & set(self.rows):
                self.redis = RedisServer()
                self.redis.start()
            yield self
        finally:
            tmux.kill_server()
            if self.redis is not None:
                self.redis.cleanup()
            if self.pg is not None:
                self.pg.cleanup()
            self._keep_error_log()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _keep_error_log(self) -> None:
        """Copy dbtui's crash log (if any run wrote one) out of the temp dir, and say where."""
        for found in self.home.glob(".local/state/dbtui/errors.log"):
            kept = Path(tempfile.gettempdir()) / f"dbtui-onscreen-errors-{os.getpid()}.log"
            shutil.copyfile(found, kept)
            print(f"dbtui wrote an error log during the run: {kept}", file=sys.stderr)
