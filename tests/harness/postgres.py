"""A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free loopback port.

initdb and postgres refuse to run as root, so when the tests run as root every server
command runs as the ``postgres`` user through ``runuser``, inside a ``/tmp`` directory
chowned to that user (pytest's own temp dirs are mode 700 and unreachable for it).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from harness.common import (
    LOOPBACK,
    START_TIMEOUT,
    HarnessError,
    free_port,
    is_root,
    log_tail,
    make_owned_dir,
    orphaned_dirs,
    register_cleanup,
    unregister_cleanup,
)

PG_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "postgres"
PASSWORD_ROLE = "dbtui_pw"
"""A login role that must authenticate with scram-sha-256 (for password-prompt tests)."""
PASSWORD = "s3cret-pw"
PG_TMP = "/tmp"
"""Cluster dirs go here, not in $TMPDIR or pytest's dirs, which the postgres user may not reach."""

HBA = f"""\
# written by the dbtui test harness
local all all trust
host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256
host all {PASSWORD_ROLE} ::1/128 scram-sha-256
host all all 127.0.0.1/32 trust
host all all ::1/128 trust
"""


def find_bin_dir() -> tuple[int, Path]:
    """Highest installed PostgreSQL major version and its bin directory (never hard-coded)."""
    found: list[tuple[int, Path]] = []
    if PG_ROOT.is_dir():
        for entry in PG_ROOT.iterdir():
            if entry.name.isdigit() and (entry / "bin" / "initdb").exists():
                found.append((int(entry.name), entry / "bin"))
    if not found:
        raise HarnessError(
            f"no PostgreSQL server binaries under {PG_ROOT}; install the postgresql package "
            "(scripts/test does this)"
        )
    return max(found)


def reap_orphans(bin_dir: Path) -> None:
    """Stop and delete harness clusters whose test process died without cleaning up.

    Only dirs whose owner pid is dead are touched, so clusters of test sessions running at
    the same time are left alone.
    """
    for base in orphaned_dirs("dbtui-pg-", PG_TMP):
        data = base / "data"
        if (data / "postmaster.pid").exists():
            argv = [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            if is_root():
                argv = ["runuser", "-u", SUPERUSER, "--", *argv]
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(argv, cwd="/", capture_output=True, timeout=30, check=False)
        shutil.rmtree(base, ignore_errors=True)


def _extension_installed(major: int, name: str) -> bool:
    """True when ``<name>.control`` exists in the server's extension directory."""
    return Path(f"/usr/share/postgresql/{major}/extension/{name}.control").exists()


class _AdminHelpers:
    """Superuser conveniences shared by the harness server and an external one."""

    def url_for(
        self, user: str = SUPERUSER, password: str | None = None, dbname: str = "postgres"
    ) -> str:
        """``postgresql://`` URL for ``user`` (optionally with ``password``) and ``dbname``."""
        raise NotImplementedError

    def create_database(self, name: str, template: str | None = None) -> str:
        """(Re)create database ``name`` and return its superuser URL.

        Empty, or a copy of database ``template`` (data, statistics and visibility map
        included: a file copy, much faster than loading the data again).
        """
        with psycopg.connect(self.url_for(), autocommit=True) as conn:
            ident = sql.Identifier(name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
            if template is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
            else:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        ident, sql.Identifier(template)
                    )
                )
        return self.url_for(dbname=name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, disconnecting its sessions first."""
        with psycopg.connect(self.url_for(), autocommit=True) as conn:
            ident = sql.Identifier(name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))

    def terminate_connections(self, dbname: str | None = None) -> int:
        """Kill every other client backend (of ``dbname`` if given); returns how many."""
        query = (
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
            " AND (%(db)s::text IS NULL OR datname = %(db)s)"
        )
        with psycopg.connect(self.url_for(), autocommit=True) as conn:
            row = conn.execute(query, {"db": dbname}).fetchone()
        return int(row[0]) if row else 0


class PostgresServer(_AdminHelpers):
    """One PostgreSQL cluster in a temp dir; ``start()``, ``stop()``, ``restart()`` keep its data.

    Attributes:
        port: TCP port on 127.0.0.1 (fixed after the first successful start).
        major: PostgreSQL major version of the binaries in use.
        has_qualstats: True when pg_qualstats is installed and preloaded.
    """

    def __init__(self) -> None:
        self.major, self.bin_dir = find_bin_dir()
        self.has_qualstats = _extension_installed(self.major, "pg_qualstats")
        self.base = make_owned_dir("dbtui-pg-", PG_TMP)
        self.data_dir = self.base / "data"
        self.socket_dir = self.base / "sock"
        self.log_path = self.base / "postgres.log"
        self.port = 0
        self._initialized = False
        self.running = False

    # -- URLs -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Superuser URL of the ``postgres`` database (trust auth, no password)."""
        return self.url_for()

    def url_for(
        self, user: str = SUPERUSER, password: str | None = None, dbname: str = "postgres"
    ) -> str:
        """``postgresql://`` URL for ``user`` (optionally with ``password``) and ``dbname``."""
        auth = quote(user, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        return f"postgresql://{auth}@{LOOPBACK}:{self.port}/{quote(dbname, safe='')}"

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Create the cluster on first use, then start it and wait until it accepts connections.

        Raises:
            HarnessError: initdb or the server failed; the message holds the log tail.
        """
        if self.running:
            return
        register_cleanup(self.cleanup)
        if not self._initialized:
            reap_orphans(self.bin_dir)
            self._initdb()
        attempts = 1 if self.port else 3
        for _ in range(attempts):
            port = self.port or free_port()
            if self._pg_ctl_start(port):
                self.port = port
                self.running = True
                break
            if "already in use" not in log_tail(self.log_path, 20):
                break
        if not self.running:
            raise HarnessError(
                f"PostgreSQL {self.major} did not start; log {self.log_path}:\n"
                + log_tail(self.log_path)
            )
        if not self._initialized:
            self._initialized = True
            self._provision()

    def stop(self) -> None:
        """Stop the server (fast shutdown; immediate if that hangs). Data stays."""
        if not self.running:
            return
        self.running = False
        fast = self._run_pg(
            [self._bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "30", "stop"],
            check=False,
        )
        if fast.returncode != 0:
            self._run_pg(
                [
                    self._bin("pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "immediate",
                    "-w",
                    "-t",
                    "30",
                    "stop",
                ],
                check=False,
            )

    def restart(self) -> None:
        """Stop and start again on the same port and data (existing connections are lost)."""
        self.stop()
        self.start()

    def cleanup(self) -> None:
        """Stop the server and delete its temp dir; safe to call twice."""
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
        unregister_cleanup(self.cleanup)

    # -- internals --------------------------------------------------------------------------

    def _bin(self, name: str) -> str:
        return str(self.bin_dir / name)

    def _run_pg(self, argv: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool (as the postgres user when we are root); output captured."""
        if is_root():
            argv = ["runuser", "-u", SUPERUSER, "--", *argv]
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        try:
            proc = subprocess.run(
                argv,
                cwd=self.base,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT + 30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise HarnessError(f"{' '.join(argv)} could not run: {exc}") from exc
        if check and proc.returncode != 0:
            raise HarnessError(
                f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}"
            )
        return proc

    def _initdb(self) -> None:
        """initdb into ``data_dir`` and write the harness configuration."""
        self.socket_dir.mkdir()
        if is_root():
            owner = pwd.getpwnam(SUPERUSER)
            for path in (self.base, self.socket_dir):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self._run_pg(
            [
                self._bin("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
                "--no-instructions",
            ]
        )
        preload = "pg_stat_statements,pg_qualstats" if self.has_qualstats else "pg_stat_statements"
        settings = {
            "listen_addresses": f"'{LOOPBACK}'",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "shared_preload_libraries": f"'{preload}'",
            "password_encryption": "'scram-sha-256'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "jit": "off",
            "max_connections": "200",
            "pg_stat_statements.track": "all",
        }
        if self.has_qualstats:
            settings["pg_qualstats.sample_rate"] = "1"
        conf = "\n# dbtui test harness\n" + "".join(f"{k} = {v}\n" for k, v in settings.items())
        with (self.data_dir / "postgresql.conf").open("a") as out:
            out.write(conf)
        (self.data_dir / "pg_hba.conf").write_text(HBA)

    def _pg_ctl_start(self, port: int) -> bool:
        """Run ``pg_ctl start`` on ``port``; True when the server came up."""
        proc = self._run_pg(
            [
                self._bin("pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_path),
                "-w",
                "-t",
                str(int(START_TIMEOUT)),
                "-o",
                f"-p {port}",
                "start",
            ],
            check=False,
        )
        return proc.returncode == 0

    def _provision(self) -> None:
        """Create the password role and check the extensions the advisor tests rely on."""
        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(PASSWORD_ROLE), sql.Literal(PASSWORD)
                    )
                )
                extensions = ["hypopg", "pg_stat_statements"]
                if self.has_qualstats:
                    extensions.append("pg_qualstats")
                for ext in extensions:
                    with conn.transaction(force_rollback=True):
                        conn.execute(sql.SQL("CREATE EXTENSION {}").format(sql.Identifier(ext)))
        except psycopg.Error as exc:
            hint = f"install postgresql-{self.major}-hypopg (scripts/test does this)"
            raise HarnessError(
                f"PostgreSQL {self.major} provisioning failed: {exc}; {hint}"
            ) from exc


def server_version(url: str) -> str:
    """``SELECT version()`` of the server at ``url`` (used in error messages and tests)."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT version()").fetchone()
    return re.sub(r"\s+", " ", str(row[0] if row else ""))


class ExternalPostgres(_AdminHelpers):
    """A server named by ``DBTUI_TEST_POSTGRES_URL``: same URL helpers, no lifecycle control."""

    def __init__(self, url: str) -> None:
        self._parts = urlsplit(url)
        self.port = self._parts.port or 5432
        self.url = url

    def url_for(
        self, user: str = SUPERUSER, password: str | None = None, dbname: str = "postgres"
    ) -> str:
        """The override URL with its user, password and database replaced."""
        auth = quote(user, safe="")
        if password is not None:
            auth += ":" + quote(password, safe="")
        netloc = f"{auth}@{self._parts.hostname}:{self.port}"
        return urlunsplit(
            (self._parts.scheme, netloc, "/" + quote(dbname, safe=""), self._parts.query, "")
        )

    def start(self) -> None:
        """Nothing to start: the external server is assumed to be running."""

    def stop(self) -> None:
        """Refuse: the harness does not control an external server."""
        raise HarnessError("cannot stop the external server named by DBTUI_TEST_POSTGRES_URL")

    def restart(self) -> None:
        """Drop every other connection: the nearest an external server gets to a restart.

        Connection-lost tests thus behave the same against a harness or an external server.
        """
        self.terminate_connections()

    def cleanup(self) -> None:
        """Nothing to clean up."""
