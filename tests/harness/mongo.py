"""A MongoDB-compatible server (SecantusDB, ``python -m secantus``) as a child process.

No real ``mongod`` can be installed on the test machines, so the harness runs SecantusDB, which
stores data for real (but invents its explain plans; plan tests use recorded real explains).
It runs in a subprocess rather than in-process so its threads never compete with pytest's
event loops, and a crash in it cannot take the test session down.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pymongo
import pymongo.errors

from harness.common import (
    LOOPBACK,
    HarnessError,
    free_port,
    log_tail,
    make_owned_dir,
    reap_orphaned_dirs,
    register_cleanup,
    spawn,
    stop_process,
    unregister_cleanup,
    wait_until,
)


def _answers(port: int, pid: int) -> bool:
    """True when the SecantusDB process ``pid`` answers serverStatus on ``port``."""
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        LOOPBACK,
        port,
        directConnection=True,
        serverSelectionTimeoutMS=1000,
        connectTimeoutMS=1000,
    )
    try:
        status = client.admin.command("serverStatus")
        return int(status.get("pid", -1)) == pid
    except pymongo.errors.PyMongoError:
        return False
    finally:
        client.close()


class MongoServer:
    """SecantusDB with in-memory storage on a free port.

    Attributes:
        port: TCP port on 127.0.0.1 (0 until started).
        url: ``mongodb://127.0.0.1:PORT/``.

    A restart keeps the port but, storage being in memory, not the data.
    """

    def __init__(self) -> None:
        reap_orphaned_dirs("dbtui-mongo-")
        self.base = make_owned_dir("dbtui-mongo-")
        self.log_path = self.base / "secantus.log"
        self.config_path = self.base / "secantusd.toml"
        self.config_path.write_text("# empty: every setting comes from the command line\n")
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``mongodb://`` URL of the server."""
        return f"mongodb://{LOOPBACK}:{self.port}/"

    def start(self) -> None:
        """Start the server (same port as before, if any) and wait until it answers.

        Raises:
            HarnessError: the server did not come up; the message holds its log tail.
        """
        register_cleanup(self.cleanup)
        attempts = 1 if self.port else 3
        for _ in range(attempts):
            port = self.port or free_port()
            if self._launch(port):
                self.port = port
                return
            if "in use" not in log_tail(self.log_path, 10):
                break
        raise HarnessError(
            f"SecantusDB did not start; log {self.log_path}:\n" + log_tail(self.log_path)
        )

    def _launch(self, port: int) -> bool:
        """Spawn SecantusDB on ``port``; True once it answers, else stop it."""
        argv = [
            sys.executable,
            "-m",
            "secantus",
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            "--storage-path",
            ":memory:",
            "--config",
            str(self.config_path),
            "--log-level",
            "WARNING",
        ]
        # Its in-memory store still makes a temp dir: keep it inside ours.
        env = {**os.environ, "TMPDIR": str(self.base)}
        proc = spawn(argv, log=self.log_path, cwd=self.base, env=env)
        self._proc = proc
        if wait_until(lambda: _answers(port, proc.pid), alive=lambda: proc.poll() is None):
            return True
        stop_process(proc)
        return False

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 15 s)."""
        stop_process(self._proc, timeout=15.0)
        self._proc = None

    def restart(self) -> None:
        """Stop and start on the same port (connections are lost, and so is the data)."""
        self.stop()
        self.start()

    def cleanup(self) -> None:
        """Stop the server and delete its temp dir."""
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
        unregister_cleanup(self.cleanup)
