"""A SecantusDB that requires a login (``--auth``), with one user, for password-prompt tests.

SecantusDB provisions users like mongod without a localhost exception: a user is
created on a server started without ``--auth``, then the server restarts on the same
(on-disk, temporary) storage with ``--auth``. Both steps take a few seconds.
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
    register_cleanup,
    spawn,
    stop_process,
    unregister_cleanup,
    wait_until,
)

USER = "alice"
PASSWORD = "s3cret-Mongo"


def _answers(port: int) -> bool:
    """True when something speaking the MongoDB protocol answers ``hello`` on ``port``."""
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        LOOPBACK, port, directConnection=True, serverSelectionTimeoutMS=1000
    )
    try:
        client.admin.command("hello")
        return True
    except pymongo.errors.PyMongoError:
        return False
    finally:
        client.close()


class AuthMongoServer:
    """SecantusDB with ``--auth`` and the user :data:`USER` / :data:`PASSWORD` (role root).

    Attributes:
        port: TCP port on 127.0.0.1 (0 until started).
    """

    def __init__(self) -> None:
        self.base = make_owned_dir("dbtui-mongo-auth-")
        self.log_path = self.base / "secantus.log"
        self.config_path = self.base / "secantusd.toml"
        self.config_path.write_text("# empty: every setting comes from the command line\n")
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None

    def url(self, userinfo: str = f"{USER}@") -> str:
        """``mongodb://{userinfo}127.0.0.1:PORT/`` (by default a user and no password)."""
        return f"mongodb://{userinfo}{LOOPBACK}:{self.port}/"

    def _launch(self, *extra: str) -> None:
        argv = [sys.executable, "-m", "secantus", "--host", LOOPBACK, "--port", str(self.port)]
        argv += ["--storage-path", str(self.base / "data"), "--config", str(self.config_path)]
        argv += ["--log-level", "WARNING", *extra]
        env = {**os.environ, "TMPDIR": str(self.base)}  # its temp dir stays inside ours
        proc = spawn(argv, log=self.log_path, cwd=self.base, env=env)
        self._proc = proc
        if not wait_until(lambda: _answers(self.port), alive=lambda: proc.poll() is None):
            stop_process(proc)
            raise HarnessError(f"SecantusDB --auth did not start:\n{log_tail(self.log_path)}")

    def start(self) -> None:
        """Create the user on an open server, then restart it requiring a login.

        Raises:
            HarnessError: a step failed; the message holds the server's log tail.
        """
        register_cleanup(self.cleanup)
        self.port = free_port()
        self._launch()
        client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
            LOOPBACK, self.port, directConnection=True
        )
        try:
            client.admin.command("createUser", USER, pwd=PASSWORD, roles=["root"])
        finally:
            client.close()
        stop_process(self._proc, timeout=15.0)
        self._launch("--auth")

    def cleanup(self) -> None:
        """Stop the server and delete its temp dir."""
        stop_process(self._proc, timeout=15.0)
        self._proc = None
        shutil.rmtree(self.base, ignore_errors=True)
        unregister_cleanup(self.cleanup)
