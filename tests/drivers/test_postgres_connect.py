"""Connecting: URLs, keyword strings and the bare libpq environment, passwords, errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from harness.postgres import PASSWORD, PASSWORD_ROLE, PostgresServer

from dbtui.core.errors import ConnectError, ConnectionLostError
from dbtui.core.registry import load_driver
from dbtui.core.spec import ConnectionSpec, spec_from_url
from dbtui.drivers.postgres import PasswordRequired, PostgresDriver

pytestmark = pytest.mark.postgres


def _spec(url: str, **kwargs: object) -> ConnectionSpec:
    return ConnectionSpec(url=url, engine="postgresql", name="test", **kwargs)  # type: ignore[arg-type]


def _app_name(driver: PostgresDriver) -> str:
    (result,) = driver.execute("show application_name")
    return str(result.rows.fetch(1)[0][0])  # type: ignore[union-attr]


@pytest.fixture
def connected(postgres_url: str) -> Iterator[PostgresDriver]:
    driver = PostgresDriver(spec_from_url(postgres_url))
    driver.connect()
    yield driver
    driver.close()


def test_registered_entry_point_is_this_driver() -> None:
    assert load_driver("postgresql") is PostgresDriver
    caps = PostgresDriver.capabilities
    assert (caps.cancel, caps.explain, caps.explain_analyze) == (True, True, True)
    assert (caps.transactions, caps.server_read_only) == (True, True)


def test_url_connects_with_default_application_name(connected: PostgresDriver) -> None:
    assert _app_name(connected) == "dbtui"
    assert connected.current_database == "postgres"
    assert connected.server_version[0].isdigit()
    assert connected.transaction_status == "idle"


def test_catalog_connection_is_a_second_session(
    connected: PostgresDriver, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        rows = admin.execute(
            "select application_name from pg_stat_activity"
            " where application_name like 'dbtui%%' and pid <> pg_backend_pid()"
        ).fetchall()
    names = sorted(row[0] for row in rows)
    assert "dbtui" in names
    assert "dbtui catalog" in names


def test_application_name_given_by_the_user_is_kept(postgres_url: str) -> None:
    driver = PostgresDriver(spec_from_url(postgres_url + "?application_name=mine"))
    driver.connect()
    try:
        assert _app_name(driver) == "mine"
    finally:
        driver.close()


def test_keyword_conninfo_string(postgres_server: PostgresServer, postgres_url: str) -> None:
    parts = urlsplit(postgres_url)
    conninfo = f"host={parts.hostname} port={parts.port} user=postgres dbname=postgres"
    driver = PostgresDriver(_spec(conninfo))
    driver.connect()
    try:
        assert driver.current_database == "postgres"
    finally:
        driver.close()


def test_empty_url_uses_the_libpq_environment(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = urlsplit(postgres_url)
    monkeypatch.setenv("PGHOST", str(parts.hostname))
    monkeypatch.setenv("PGPORT", str(parts.port))
    monkeypatch.setenv("PGUSER", "postgres")
    monkeypatch.setenv("PGDATABASE", "template1")
    driver = PostgresDriver(_spec(""))
    driver.connect()
    try:
        assert driver.current_database == "template1"
    finally:
        driver.close()


def test_service_file(postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = urlsplit(postgres_url)
    service_file = tmp_path / "pg_service.conf"
    service_file.write_text(
        f"[dbtui-test]\nhost={parts.hostname}\nport={parts.port}\nuser=postgres\ndbname=template1\n"
    )
    monkeypatch.setenv("PGSERVICEFILE", str(service_file))
    driver = PostgresDriver(_spec("service=dbtui-test"))
    driver.connect()
    try:
        assert driver.current_database == "template1"
    finally:
        driver.close()


def test_pgpass_supplies_the_password(postgres_server: PostgresServer) -> None:
    url = postgres_server.url_for(user=PASSWORD_ROLE)
    parts = urlsplit(url)
    pgpass = Path(os.environ["HOME"]) / ".pgpass"  # HOME is a per-test directory
    pgpass.write_text(f"{parts.hostname}:{parts.port}:*:{PASSWORD_ROLE}:{PASSWORD}\n")
    os.chmod(pgpass, 0o600)
    driver = PostgresDriver(spec_from_url(url))
    driver.connect()
    try:
        (result,) = driver.execute("select current_user")
        assert result.rows.fetch(1) == [(PASSWORD_ROLE,)]  # type: ignore[union-attr]
    finally:
        driver.close()


def test_missing_password_raises_password_required_then_set_password_works(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.url_for(user=PASSWORD_ROLE)
    driver = PostgresDriver(spec_from_url(url))
    with pytest.raises(PasswordRequired) as info:
        driver.connect()
    assert isinstance(info.value, ConnectError)
    assert info.value.user == PASSWORD_ROLE
    assert not info.value.rejected
    driver.set_password(PASSWORD)
    driver.connect()
    try:
        (result,) = driver.execute("select current_user")
        assert result.rows.fetch(1) == [(PASSWORD_ROLE,)]  # type: ignore[union-attr]
    finally:
        driver.close()
    assert PASSWORD not in repr(driver)


def test_wrong_password_is_rejected_without_showing_it(postgres_server: PostgresServer) -> None:
    url = postgres_server.url_for(user=PASSWORD_ROLE, password="not-the-password")
    driver = PostgresDriver(spec_from_url(url))
    with pytest.raises(PasswordRequired) as info:
        driver.connect()
    assert info.value.rejected
    assert "not-the-password" not in str(info.value)
    assert "not-the-password" not in info.value.one_line()
    assert "***" in info.value.message


def test_unreachable_server_is_one_line_with_masked_url() -> None:
    driver = PostgresDriver(spec_from_url("postgresql://bob:hunter2@127.0.0.1:1/db"))
    with pytest.raises(ConnectError) as info:
        driver.connect()
    message = info.value.message
    assert "\n" not in message
    assert "hunter2" not in message
    assert "bob:***@127.0.0.1:1" in message
    assert "refused" in message.lower()


def test_malformed_connection_string() -> None:
    driver = PostgresDriver(_spec("host=x password=hunter2 nonsense"))
    with pytest.raises(ConnectError) as info:
        driver.connect()
    assert "hunter2" not in info.value.message
    assert "not a valid" in info.value.message


def test_close_twice_and_children_after_close(connected: PostgresDriver) -> None:
    connected.close()
    connected.close()
    assert connected.transaction_status == ""
    with pytest.raises(ConnectionLostError):
        connected.children(None)
