"""``dbtui advise --fail-on``: exit status 1 when something of at least that severity is found."""

from __future__ import annotations

import psycopg
import pytest

from dbtui.cli import main

pytestmark = pytest.mark.postgres

QUERY = "SELECT * FROM orders WHERE customer_id = 42"


@pytest.fixture
def shop_url(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL);"
            "INSERT INTO orders SELECT g, g % 50000 FROM generate_series(1, 100000) g;"
            "ANALYZE"
        )
    return postgres_db_url


def test_fail_on_sets_the_exit_status(shop_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["advise", shop_url, "--query", QUERY]) == 0  # without it: 0 either way
    assert main(["advise", shop_url, "--query", QUERY, "--fail-on", "high"]) == 1
    out = capsys.readouterr().out
    assert "CREATE INDEX CONCURRENTLY ON public.orders (customer_id)" in out
    assert "% cheaper" in out
    assert "-99%" not in out
    nothing = "SELECT * FROM orders WHERE id = 5"
    assert main(["advise", shop_url, "--query", nothing, "--fail-on", "low"]) == 0
    assert "already served by the existing index orders_pkey" in capsys.readouterr().out
    assert main(["advise", shop_url, "--health", "--fail-on", "high"]) == 0


def test_fail_on_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["advise", "--help"])
    assert "--fail-on {low,medium,high}" in capsys.readouterr().out
