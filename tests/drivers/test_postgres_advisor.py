"""The PostgreSQL index advisor against the harness server (hypopg, pg_stat_statements)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected
from harness.postgres import ExternalPostgres, PostgresServer
from psycopg import sql

from dbtui.core.advice import Confidence
from dbtui.core.errors import QueryError
from dbtui.core.plan import Plan
from dbtui.core.results import RowsResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.postgres import PostgresDriver
from dbtui.drivers.postgres.advisor_statement import NOTE_GENERIC

pytestmark = pytest.mark.postgres

SHOP = """
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, country text NOT NULL)
    WITH (autovacuum_enabled = off);
INSERT INTO customers
SELECT g, 'User' || g || '@example.com', (ARRAY['fr','de','us','jp'])[1 + g % 4]
FROM generate_series(1, 100000) g;
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers(id),
    status text NOT NULL,
    a int NOT NULL,
    c int NOT NULL,
    amount numeric(10,2) NOT NULL,
    doc jsonb NOT NULL,
    created_at timestamptz NOT NULL
) WITH (autovacuum_enabled = off);
INSERT INTO orders
SELECT g, 1 + (g * 7919) % 100000, (ARRAY['new','paid','shipped','cancelled'])[1 + g % 4],
       g % 20, (g * 7919) % 200000, (g % 1000) / 10.0, jsonb_build_object('k', g % 100),
       timestamptz '2024-01-01' + g * interval '1 minute'
FROM generate_series(1, 200000) g;
CREATE TABLE tiny (id int, name text);
INSERT INTO tiny SELECT g, 'n' || g FROM generate_series(1, 10) g;
"""


@pytest.fixture(scope="module")
def shop_template(postgres_server: PostgresServer | ExternalPostgres) -> Iterator[str]:
    """A database loaded, analyzed and vacuumed once; each test gets a file copy of it."""
    name = f"tpl_shop_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SHOP)
        conn.execute("ANALYZE")
        all_visible(conn, "orders")
    yield name
    postgres_server.drop_database(name)


@pytest.fixture
def shop_url(
    postgres_server: PostgresServer | ExternalPostgres, shop_template: str
) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name, template=shop_template)
    yield url
    postgres_server.drop_database(name)


def all_visible(conn: psycopg.Connection[tuple[object, ...]], table: str) -> None:
    """VACUUM until every page of ``table`` is all-visible, so index-only scans are costed
    as such (a VACUUM right after the load, or while another snapshot is open, may not)."""
    for _ in range(50):
        conn.execute(sql.SQL("VACUUM {}").format(sql.Identifier(table)))
        row = conn.execute(
            "SELECT relallvisible >= relpages FROM pg_class WHERE oid = %s::regclass", [table]
        ).fetchone()
        if row and row[0]:
            return
        time.sleep(0.1)
    raise AssertionError(f"VACUUM did not make {table} all-visible")


@pytest.fixture
def driver(shop_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, shop_url)


def scalar(url: str, query: str) -> object:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def test_selective_filter_gets_a_verified_suggestion_with_its_cost_drop(
    driver: PostgresDriver,
) -> None:
    (suggestion,) = driver.advise("SELECT * FROM orders WHERE customer_id = 42")
    assert suggestion.confidence is Confidence.VERIFIED
    assert suggestion.ddl == "CREATE INDEX CONCURRENTLY ON public.orders (customer_id)"
    assert suggestion.target == "public.orders"
    assert suggestion.columns == ("customer_id",)
    assert suggestion.cost_before is not None
    assert suggestion.cost_after is not None
    assert suggestion.cost_after < suggestion.cost_before * 0.5
    assert suggestion.saving is not None
    assert suggestion.saving > 0.9
    assert suggestion.size_bytes is not None
    assert suggestion.size_bytes > 1_000_000
    assert "WHERE customer_id = ?" in suggestion.reason
    assert isinstance(suggestion.plan_before, Plan)
    assert isinstance(suggestion.plan_after, Plan)
    before = {n.node_type for n in suggestion.plan_before.nodes()}
    assert "Seq Scan" in before
    used = [n.index for n in suggestion.plan_after.nodes() if n.index]
    assert used
    assert all(name.startswith("<") for name in used)
    assert suggestion.evidence[0].startswith("planner cost")


def test_the_suggested_index_created_for_real_is_used(
    driver: PostgresDriver, shop_url: str
) -> None:
    (suggestion,) = driver.advise("SELECT * FROM orders WHERE customer_id = 42")
    list(driver.execute(suggestion.ddl))
    plan = driver.explain("SELECT * FROM orders WHERE customer_id = 42")
    assert any(n.index == "orders_customer_id_idx" for n in plan.nodes())
    assert driver.advise("SELECT * FROM orders WHERE customer_id = 42") == []


def test_an_indexed_query_and_a_tiny_table_get_nothing(driver: PostgresDriver) -> None:
    assert driver.advise("SELECT * FROM orders WHERE id = 5") == []
    assert driver.advise("SELECT * FROM tiny WHERE name = 'n3'") == []
    assert driver.advise("SELECT * FROM customers WHERE country = 'fr'") == []  # not selective


def test_an_existing_index_serves_as_a_prefix(driver: PostgresDriver) -> None:
    list(driver.execute("CREATE INDEX orders_created_status ON orders (created_at, status)"))
    query = "SELECT * FROM orders WHERE created_at < '2024-01-02'"
    assert driver.advise(query) == []


def test_two_columns_only_when_they_beat_one(driver: PostgresDriver) -> None:
    # (a) and (c) alone combine in a BitmapAnd; (a, c) answers from the index alone
    (pair,) = driver.advise("SELECT c FROM orders WHERE a = 3 AND c BETWEEN 1000 AND 3000")
    assert pair.confidence is Confidence.VERIFIED
    assert pair.columns == ("a", "c")
    assert pair.plan_after is not None
    assert any(n.node_type == "Index Only Scan" for n in pair.plan_after.nodes())
    (single,) = driver.advise("SELECT * FROM orders WHERE customer_id = 5 AND status = 'new'")
    assert single.columns == ("customer_id",)


def test_expression_index_for_lower_email(driver: PostgresDriver) -> None:
    (suggestion,) = driver.advise(
        "SELECT * FROM customers WHERE lower(email) = 'user77@example.com'"
    )
    assert suggestion.ddl == "CREATE INDEX CONCURRENTLY ON public.customers ((lower(email)))"
    assert suggestion.confidence is Confidence.VERIFIED
    assert suggestion.columns == ("lower(email)",)


def test_join_and_order_by_candidates(driver: PostgresDriver) -> None:
    found = driver.advise(
        "SELECT o.* FROM customers c JOIN orders o ON o.customer_id = c.id "
        "WHERE c.email = 'User5@example.com'"
    )
    ddls = {s.ddl for s in found}
    assert "CREATE INDEX CONCURRENTLY ON public.orders (customer_id)" in ddls
    (ordered,) = driver.advise("SELECT * FROM orders ORDER BY amount DESC LIMIT 10")
    assert ordered.columns == ("amount",)


def test_a_write_is_planned_never_run(driver: PostgresDriver, shop_url: str) -> None:
    total = scalar(shop_url, "SELECT sum(amount) FROM orders")
    (suggestion,) = driver.advise(
        "UPDATE orders SET amount = 0 WHERE created_at > '2024-05-01'::timestamptz"
    )
    assert suggestion.columns == ("created_at",)
    assert scalar(shop_url, "SELECT sum(amount) FROM orders") == total


def test_percent_signs_in_statements_are_sent_as_written(driver: PostgresDriver) -> None:
    # the harness database uses the C collation, where a btree serves a LIKE prefix
    (suggestion,) = driver.advise("SELECT * FROM customers WHERE email LIKE 'User12345%'")
    assert suggestion.ddl == "CREATE INDEX CONCURRENTLY ON public.customers (email)"
    # a leading wildcard: no btree, but a pg_trgm GIN index, saying how to enable pg_trgm
    (trigram,) = driver.advise("SELECT * FROM customers WHERE email LIKE '%x%'")
    assert (
        trigram.ddl
        == "CREATE INDEX CONCURRENTLY ON public.customers USING gin (email gin_trgm_ops)"
    )
    assert "CREATE EXTENSION pg_trgm" in trigram.note


def test_parameters_are_planned_generically(driver: PostgresDriver) -> None:
    (suggestion,) = driver.advise("SELECT * FROM orders WHERE customer_id = $1")
    assert suggestion.confidence is Confidence.VERIFIED
    assert NOTE_GENERIC in suggestion.note


def test_gin_for_jsonb_containment_is_heuristic(driver: PostgresDriver) -> None:
    found = driver.advise("""SELECT * FROM orders WHERE doc @> '{"k": 5}'""")
    gin = [s for s in found if s.method == "gin"]
    assert [s.ddl for s in gin] == ["CREATE INDEX CONCURRENTLY ON public.orders USING gin (doc)"]
    assert gin[0].confidence is Confidence.HEURISTIC
    assert "HypoPG cannot simulate GIN" in gin[0].note


def test_bad_statements_raise_query_errors(driver: PostgresDriver) -> None:
    with pytest.raises(QueryError):
        driver.advise("SELEC 1")
    with pytest.raises(QueryError, match="get no index advice"):
        driver.advise("CREATE TABLE x (id int)")
    with pytest.raises(QueryError, match="nope"):
        driver.advise("SELECT * FROM nope WHERE id = 1")
    assert driver.advise("SELECT * FROM orders WHERE customer_id = 9")  # still usable


def test_hypothetical_indexes_never_reach_the_user_session(
    driver: PostgresDriver, shop_url: str
) -> None:
    assert driver.advise("SELECT * FROM orders WHERE customer_id = 42")
    # hypopg was created for the advisor's transaction only, and rolled back with it
    assert scalar(shop_url, "SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'") == 0
    plan = driver.explain("SELECT * FROM orders WHERE customer_id = 42")
    assert not any(n.index for n in plan.nodes())


def test_installed_hypopg_is_used_and_left_clean(driver: PostgresDriver, shop_url: str) -> None:
    list(driver.execute("CREATE EXTENSION hypopg"))
    assert driver.advise("SELECT * FROM orders WHERE customer_id = 42")
    result = next(driver.execute("SELECT count(*) FROM hypopg_list_indexes"))
    assert isinstance(result, RowsResult)
    assert [tuple(row) for row in result.rows.fetch(10)] == [(0,)]
    result.rows.close()
    private = driver.advisor.session.rows("SELECT count(*) AS n FROM hypopg_list_indexes")
    assert private == [{"n": 0}]
    plan = driver.explain("SELECT * FROM orders WHERE customer_id = 42")
    assert not any(n.index for n in plan.nodes())


@pytest.fixture
def plain_role_url(shop_url: str) -> Iterator[str]:
    """A login role without superuser rights, allowed to read the shop's tables."""
    role = f"reader_{uuid.uuid4().hex[:8]}"
    ident = sql.Identifier(role)
    with psycopg.connect(shop_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(ident))
        conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(ident))
    yield shop_url.replace("postgresql://postgres@", f"postgresql://{role}@")
    with psycopg.connect(shop_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(ident))
        conn.execute(sql.SQL("DROP ROLE {}").format(ident))


def test_heuristic_fallback_when_the_role_cannot_create_hypopg(plain_role_url: str) -> None:
    driver = PostgresDriver(spec_from_url(plain_role_url))
    driver.connect()
    try:
        with psycopg.connect(plain_role_url, autocommit=True) as conn, pytest.raises(psycopg.Error):
            conn.execute("CREATE EXTENSION hypopg")  # the real situation
        (suggestion,) = driver.advise("SELECT * FROM orders WHERE customer_id = 42")
        assert suggestion.confidence is Confidence.HEURISTIC
        assert suggestion.ddl == "CREATE INDEX CONCURRENTLY ON public.orders (customer_id)"
        assert "CREATE EXTENSION hypopg" in suggestion.note
        assert suggestion.cost_after is None
        assert suggestion.plan_after is None
        assert isinstance(suggestion.plan_before, Plan)
        assert driver.advise("SELECT * FROM customers WHERE country = 'fr'") == []
        assert driver.advise("SELECT * FROM tiny WHERE name = 'n3'") == []
    finally:
        driver.close()


def test_read_only_connections_never_create_hypopg(shop_url: str) -> None:
    driver = PostgresDriver(spec_from_url(shop_url, read_only=True))
    driver.connect()
    try:
        (suggestion,) = driver.advise("SELECT * FROM orders WHERE customer_id = 42")
        assert suggestion.confidence is Confidence.HEURISTIC
        assert "read-only" in suggestion.note
    finally:
        driver.close()
