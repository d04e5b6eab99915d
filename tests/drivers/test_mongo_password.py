"""A ``mongodb://user@host`` URL without a password asks for it (SecantusDB with ``--auth``)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from harness.mongo_auth import PASSWORD, USER, AuthMongoServer

from dbtui.core.errors import PasswordRequired
from dbtui.core.results import DocumentsResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.mongo import MongoDriver
from dbtui.drivers.mongo.urls import has_password, user_without_password

pytestmark = pytest.mark.mongo


@pytest.fixture(scope="module")
def auth_server() -> Iterator[AuthMongoServer]:
    server = AuthMongoServer()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a connect attempt would hang)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "user"),
    [
        ("mongodb://alice@h/db", "alice"),
        ("mongodb://alice:@h/db", "alice"),
        ("mongodb://alice@h1,h2/db?authSource=admin", "alice"),
        ("mongodb://alice@h/?authMechanism=SCRAM-SHA-256", "alice"),
        ("mongodb://alice@h/?authMechanism=PLAIN", "alice"),
        ("mongodb://alice:pw@h/db", None),
        ("mongodb://h/db", None),
        ("mongodb://CN=client@h/?authMechanism=MONGODB-X509", None),
        ("mongodb://alice@h/?authMechanism=GSSAPI", None),
        ("mongodb://alice@h/?authMechanism=MONGODB-AWS", None),
        ("mongodb://al%40ice@h/", "al@ice"),
        ("not a url", None),
    ],
)
def test_user_without_password(url: str, user: str | None) -> None:
    assert user_without_password(url) == user


def test_has_password() -> None:
    assert has_password("mongodb://a:b@h/")
    assert not has_password("mongodb://a@h/")
    assert not has_password("mongodb://a:@h/")


def test_password_required_before_anything_is_sent(silent_port: int) -> None:
    """Raised at once, without a connection attempt (the port would never answer)."""
    spec = spec_from_url(f"mongodb://{USER}@127.0.0.1:{silent_port}/shop")
    started = time.monotonic()
    with pytest.raises(PasswordRequired) as info:
        MongoDriver(spec).connect()
    assert time.monotonic() - started < 1.0
    assert info.value.user == USER
    assert not info.value.rejected
    assert "127.0.0.1" in info.value.message


def test_prompted_password_connects(auth_server: AuthMongoServer) -> None:
    driver = MongoDriver(spec_from_url(auth_server.url() + "shop?authSource=admin"))
    with pytest.raises(PasswordRequired) as first:
        driver.connect()
    assert not first.value.rejected
    driver.set_password("not-the-password")
    with pytest.raises(PasswordRequired) as wrong:
        driver.connect()
    assert wrong.value.rejected
    assert "not-the-password" not in wrong.value.one_line()
    driver.set_password(PASSWORD)
    driver.connect()
    try:
        (result,) = driver.execute("db.runCommand({connectionStatus: 1})")
        assert isinstance(result, DocumentsResult)
        (status,) = result.documents.fetch(5)
        assert isinstance(status, dict)
        users = status["authInfo"]["authenticatedUsers"]
        assert [u["user"] for u in users] == [USER]
        assert driver.current_database == "shop"
    finally:
        driver.close()


def test_wrong_password_in_the_url_asks_again(auth_server: AuthMongoServer) -> None:
    spec = spec_from_url(auth_server.url(f"{USER}:wrong-pw@"))
    with pytest.raises(PasswordRequired) as info:
        MongoDriver(spec).connect()
    assert info.value.rejected
    assert "wrong-pw" not in info.value.one_line()
