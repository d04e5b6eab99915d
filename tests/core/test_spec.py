"""Connection specs: engines from URLs, keyword strings, names, and password masking."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from dbtui.core.errors import ConnectError
from dbtui.core.spec import engine_of, mask_password, spec_from_url


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("sqlite:///tmp/x.db", "sqlite"),
        ("app.sqlite3", "sqlite"),
        ("postgresql://u@h/db", "postgresql"),
        ("postgres://h", "postgresql"),
        ("host=db dbname=shop", "postgresql"),
        ("service=prod", "postgresql"),
        ("mongodb+srv://cluster.example/db", "mongodb"),
        ("rediss://h:6380/1", "redis"),
        ("redis+sentinel://h:26379/mymaster", "redis"),
    ],
)
def test_engine_of(url: str, engine: str) -> None:
    assert engine_of(url) == engine


@pytest.mark.parametrize("url", ["nosuch://x", "just-words", "http://example.org"])
def test_unknown_inputs_are_connect_errors(url: str) -> None:
    with pytest.raises(ConnectError):
        engine_of(url)


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("postgresql://me:hunter2@db:5432/shop", "hunter2"),
        ("mongodb://me:p%40ss@a:1,b:2/db?replicaSet=rs", "p%40ss"),
        ("redis://:redispw@cache:6379/0", "redispw"),
        ("host=db password=kw-secret dbname=x", "kw-secret"),
        ("host=db password='quoted secret' dbname=x", "quoted secret"),
        ("postgresql://h/db?password=qs-secret&sslmode=require", "qs-secret"),
    ],
)
def test_passwords_are_masked_everywhere(url: str, secret: str) -> None:
    spec = spec_from_url(url)
    assert secret not in mask_password(url)
    assert secret not in spec.display_url
    assert secret not in repr(spec)
    assert secret not in spec.name
    assert "***" in spec.display_url


def test_names_are_short_and_password_free() -> None:
    assert spec_from_url("sqlite:///var/lib/app/app.db").name == "app.db"
    assert spec_from_url("postgresql://me:pw@db.internal:5433/shop").name == "db.internal:5433/shop"
    assert spec_from_url("host=10.0.0.5 dbname=shop password=x").name == "10.0.0.5/shop"
    assert spec_from_url("service=prod").name == "service=prod"


def test_keyword_conninfo_connects_from_the_command_line(postgres_server: Any) -> None:
    conninfo = f"host=127.0.0.1 port={postgres_server.port} user=postgres dbname=postgres"
    result = subprocess.run(
        [sys.executable, "-m", "dbtui", "explain", conninfo, "SELECT 1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Result" in result.stdout
