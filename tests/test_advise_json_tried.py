"""``dbtui advise --format json`` says what was tried when it finds nothing."""

from __future__ import annotations

import json

import psycopg
import pytest

from dbtui.cli import main

pytestmark = pytest.mark.postgres


@pytest.fixture
def shop_url(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL);"
            "INSERT INTO orders SELECT g, g % 50000 FROM generate_series(1, 100000) g;"
            "ANALYZE"
        )
    return postgres_db_url


def test_json_lists_suggestions_or_says_what_was_tried(
    shop_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    nothing = "SELECT * FROM orders WHERE id = 5"
    assert main(["advise", shop_url, "--query", nothing, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["suggestions"] == []
    assert any("already served by the existing index orders_pkey" in t for t in data["tried"])
    found = "SELECT * FROM orders WHERE customer_id = 42"
    assert main(["advise", shop_url, "--query", found, "--format", "json"]) == 0
    suggestions = json.loads(capsys.readouterr().out)
    assert isinstance(suggestions, list)
    assert "customer_id" in suggestions[0]["ddl"]
