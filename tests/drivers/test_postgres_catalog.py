"""The catalog tree against a real server: every object kind, details, one query per level."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from drivertools import connected
from harness.postgres import PostgresServer
from psycopg import pq

from dbtui.core.catalog import CatalogNode, Kind
from dbtui.core.spec import spec_from_url
from dbtui.drivers.postgres import PostgresDriver

pytestmark = pytest.mark.postgres

DATABASE = "dbtui_catalog"

SCHEMA_SQL = """
CREATE SCHEMA shop;
CREATE TYPE shop.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE shop.address AS (street text, zip int);
CREATE DOMAIN shop.posint AS integer CHECK (VALUE > 0);
CREATE TYPE shop.floatrange AS RANGE (subtype = float8);
CREATE TABLE shop.users (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text DEFAULT 'anon',
    mood shop.mood,
    doubled int GENERATED ALWAYS AS (id * 2) STORED
);
COMMENT ON COLUMN shop.users.email IS 'login address';
COMMENT ON TABLE shop.users IS 'people who buy';
CREATE TABLE shop.orders (
    id bigserial PRIMARY KEY,
    user_id int NOT NULL REFERENCES shop.users (id),
    total numeric(10, 2) CHECK (total >= 0),
    during tstzrange,
    EXCLUDE USING gist (during WITH &&)
);
CREATE INDEX orders_big ON shop.orders (total) WHERE total > 100;
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders
    FOR EACH ROW EXECUTE FUNCTION shop.touch();
CREATE TABLE shop.events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE shop.events_2024 PARTITION OF shop.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE shop.events_2025 PARTITION OF shop.events
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY HASH (id);
CREATE TABLE shop.events_2025_a PARTITION OF shop.events_2025
    FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE shop.events_2025_b PARTITION OF shop.events_2025
    FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE VIEW shop.big_orders AS SELECT id, total FROM shop.orders WHERE total > 100;
CREATE MATERIALIZED VIEW shop.order_totals AS
    SELECT user_id, sum(total) AS total FROM shop.orders GROUP BY user_id;
CREATE INDEX order_totals_user ON shop.order_totals (user_id);
CREATE SEQUENCE shop.ticket_seq START 100 INCREMENT 5;
CREATE FUNCTION shop.add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS 'select a + b';
CREATE PROCEDURE shop.reset_totals() LANGUAGE sql
    AS $$ REFRESH MATERIALIZED VIEW shop.order_totals $$;
CREATE EXTENSION file_fdw SCHEMA shop;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN TABLE shop.host_lines (line text) SERVER files
    OPTIONS (filename '/etc/hostname', format 'text');
CREATE EXTENSION hypopg;
CREATE TABLE public."Mixed Case" (id int);
INSERT INTO shop.users (email) SELECT 'u' || i || '@x' FROM generate_series(1, 500) i;
INSERT INTO shop.events VALUES (1, '2024-05-01'), (2, '2025-05-01'), (3, '2025-06-01');
"""


@pytest.fixture(scope="module")
def catalog_url(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.create_database(DATABASE)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA_SQL)
        conn.execute("VACUUM ANALYZE shop.users")
    yield url
    postgres_server.drop_database(DATABASE)


@pytest.fixture
def driver(catalog_url: str) -> Iterator[PostgresDriver]:
    yield from connected(PostgresDriver, catalog_url)


def child(driver: PostgresDriver, node: CatalogNode | None, label: str) -> CatalogNode:
    """The child of ``node`` labelled ``label`` (fails listing the labels seen)."""
    children = driver.children(node)
    for candidate in children:
        if candidate.label == label:
            return candidate
    raise AssertionError(f"{label!r} not among {[c.label for c in children]}")


def walk(driver: PostgresDriver, *labels: str) -> CatalogNode:
    """Follow ``labels`` down from the current database."""
    node = child(driver, None, DATABASE)
    for label in labels:
        node = child(driver, node, label)
    return node


def labels(driver: PostgresDriver, node: CatalogNode) -> list[str]:
    return [c.label for c in driver.children(node)]


def test_databases_current_one_expands(driver: PostgresDriver) -> None:
    top = {node.label: node for node in driver.children(None)}
    assert top[DATABASE].kind == Kind.DATABASE
    assert top[DATABASE].expandable
    assert top[DATABASE].detail == "current"
    assert not top["postgres"].expandable
    assert driver.children(top["postgres"]) == []
    assert "template0" not in top


def test_schemas(driver: PostgresDriver) -> None:
    schemas = {n.label: n for n in driver.children(child(driver, None, DATABASE))}
    assert {"shop", "public", "pg_catalog", "information_schema"} <= set(schemas)
    assert not any(name.startswith("pg_toast") for name in schemas)
    assert schemas["shop"].detail == "3 tables"
    assert schemas["pg_catalog"].detail == "system"
    assert list(schemas).index("shop") < list(schemas).index("pg_catalog")


def test_schema_folders_with_counts(driver: PostgresDriver) -> None:
    folders = {n.label: n.detail for n in driver.children(walk(driver, "shop"))}
    assert folders == {
        "Tables": "3",
        "Views": "1",
        "Materialized views": "1",
        "Foreign tables": "1",
        "Sequences": "3",
        "Functions and procedures": "3",
        "Types": "4",
        "Extensions": "1",
    }


def test_tables_list_partitioned_tables_without_their_partitions(driver: PostgresDriver) -> None:
    tables = {n.label: n for n in driver.children(walk(driver, "shop", "Tables"))}
    assert list(tables) == ["events", "orders", "users"]
    assert tables["events"].detail == "partitioned"
    assert tables["users"].detail == "~500 rows"
    assert tables["users"].insert_text == "shop.users"
    assert tables["users"].kind == Kind.TABLE
    assert ("Comment", "people who buy") in tables["users"].meta


def test_partitions_nest(driver: PostgresDriver) -> None:
    events = walk(driver, "shop", "Tables", "events")
    assert labels(driver, events)[0] == "Partitions"
    partitions = {n.label: n for n in driver.children(child(driver, events, "Partitions"))}
    assert list(partitions) == ["events_2024", "events_2025"]
    assert "FROM ('2024-01-01') TO ('2025-01-01')" in partitions["events_2024"].detail
    sub = child(driver, partitions["events_2025"], "Partitions")
    subs = driver.children(sub)
    assert [n.label for n in subs] == ["events_2025_a", "events_2025_b"]
    assert "(modulus 2, remainder 0)" in subs[0].detail.lower()
    assert labels(driver, child(driver, events, "Columns")) == ["id", "at"]


def test_columns(driver: PostgresDriver) -> None:
    columns = {
        n.label: n for n in driver.children(walk(driver, "shop", "Tables", "users", "Columns"))
    }
    assert list(columns) == ["id", "email", "name", "mood", "doubled"]
    meta = {name: dict(node.meta) for name, node in columns.items()}
    assert columns["id"].detail == "integer NOT NULL PK"
    assert meta["id"]["Identity"] == "GENERATED ALWAYS AS IDENTITY"
    assert meta["email"]["Nullable"] == "no"
    assert meta["email"]["Comment"] == "login address"
    assert meta["name"]["Default"] == "'anon'::text"
    assert meta["mood"]["Type"] == "shop.mood"
    assert meta["doubled"]["Generated"] == "(id * 2) STORED"
    assert "Default" not in meta["doubled"]
    assert columns["email"].insert_text == "email"


def test_indexes(driver: PostgresDriver) -> None:
    indexes = {
        n.label: n for n in driver.children(walk(driver, "shop", "Tables", "orders", "Indexes"))
    }
    assert set(indexes) == {"orders_pkey", "orders_big", "orders_during_excl"}
    big = dict(indexes["orders_big"].meta)
    assert big["Definition"] == (
        "CREATE INDEX orders_big ON shop.orders USING btree (total) WHERE (total > (100)::numeric)"
    )
    assert big["Partial"] == "yes"
    assert big["Unique"] == "no"
    assert big["Valid"] == "yes"
    assert big["Scans"] == "0"
    assert big["Size"].endswith("kB")
    assert "partial" in indexes["orders_big"].detail
    assert indexes["orders_pkey"].detail.startswith("primary btree")
    assert "gist" in indexes["orders_during_excl"].detail


def test_constraints(driver: PostgresDriver) -> None:
    folder = walk(driver, "shop", "Tables", "orders", "Constraints")
    constraints = {n.label: n for n in driver.children(folder)}
    kinds = {name: dict(node.meta)["Kind"] for name, node in constraints.items()}
    assert kinds["orders_pkey"] == "primary key"
    assert kinds["orders_user_id_fkey"] == "foreign key"
    assert kinds["orders_total_check"] == "check"
    assert kinds["orders_during_excl"] == "exclusion"
    assert constraints["orders_user_id_fkey"].detail == "foreign key → shop.users"
    assert dict(constraints["orders_user_id_fkey"].meta)["Definition"] == (
        "FOREIGN KEY (user_id) REFERENCES shop.users(id)"
    )
    assert next(iter(constraints)) == "orders_pkey"
    unique = walk(driver, "shop", "Tables", "users", "Constraints", "users_email_key")
    assert unique.detail == "unique"


def test_triggers(driver: PostgresDriver) -> None:
    (trigger,) = driver.children(walk(driver, "shop", "Tables", "orders", "Triggers"))
    assert trigger.label == "orders_touch"
    assert trigger.kind == Kind.TRIGGER
    assert trigger.detail == "touch"
    assert "BEFORE UPDATE ON shop.orders FOR EACH ROW" in dict(trigger.meta)["Definition"]


def test_table_folders_show_empty_ones(driver: PostgresDriver) -> None:
    folders = {n.label: n for n in driver.children(walk(driver, "shop", "Tables", "users"))}
    assert list(folders) == ["Columns", "Indexes", "Constraints", "Triggers"]
    assert folders["Triggers"].detail == "0"
    assert not folders["Triggers"].expandable


def test_views_and_materialized_views(driver: PostgresDriver) -> None:
    view = walk(driver, "shop", "Views", "big_orders")
    assert view.kind == Kind.VIEW
    assert labels(driver, view) == ["Columns"]
    assert labels(driver, child(driver, view, "Columns")) == ["id", "total"]
    matview = walk(driver, "shop", "Materialized views", "order_totals")
    assert matview.kind == "materialized_view"
    assert labels(driver, matview) == ["Columns", "Indexes"]
    assert labels(driver, child(driver, matview, "Indexes")) == ["order_totals_user"]


def test_foreign_table(driver: PostgresDriver) -> None:
    table = walk(driver, "shop", "Foreign tables", "host_lines")
    assert table.kind == "foreign_table"
    assert table.detail == "files"
    assert labels(driver, child(driver, table, "Columns")) == ["line"]


def test_sequences(driver: PostgresDriver) -> None:
    sequences = {n.label: n for n in driver.children(walk(driver, "shop", "Sequences"))}
    assert set(sequences) == {"orders_id_seq", "ticket_seq", "users_id_seq"}
    ticket = sequences["ticket_seq"]
    assert ticket.kind == "sequence"
    assert not ticket.expandable
    assert ticket.detail == "bigint"
    meta = dict(ticket.meta)
    assert (meta["Start"], meta["Increment"]) == ("100", "5")
    assert "Last value" not in meta  # never called yet: NULL
    assert dict(sequences["users_id_seq"].meta)["Last value"] == "500"


def test_functions_and_procedures(driver: PostgresDriver) -> None:
    functions = {
        n.label: n for n in driver.children(walk(driver, "shop", "Functions and procedures"))
    }
    assert set(functions) == {"add(a integer, b integer)", "reset_totals()", "touch()"}
    add = functions["add(a integer, b integer)"]
    assert add.kind == "function"
    assert add.detail == "integer"
    assert add.insert_text == "shop.add"
    meta = dict(add.meta)
    assert (meta["Language"], meta["Volatility"]) == ("sql", "immutable")
    assert functions["reset_totals()"].kind == "procedure"
    assert functions["touch()"].detail == "trigger"


def test_types(driver: PostgresDriver) -> None:
    types = {n.label: n.detail for n in driver.children(walk(driver, "shop", "Types"))}
    assert types == {
        "address": "composite: street text, zip integer",
        "floatrange": "range: double precision",
        "mood": "enum: sad, ok, happy",
        "posint": "domain: integer",
    }


def test_extensions_and_their_members_are_not_listed_as_functions(driver: PostgresDriver) -> None:
    (file_fdw,) = driver.children(walk(driver, "shop", "Extensions"))
    assert (file_fdw.label, file_fdw.kind) == ("file_fdw", "extension")
    assert file_fdw.detail
    public = {n.label: n for n in driver.children(walk(driver, "public"))}
    assert public["Extensions"].detail == "1"
    assert labels(driver, public["Extensions"]) == ["hypopg"]
    assert public["Functions and procedures"].detail == "0"  # hypopg's are extension members
    mixed = child(driver, public["Tables"], "Mixed Case")
    assert mixed.insert_text == '"Mixed Case"'


def test_table_details(driver: PostgresDriver) -> None:
    facts = dict(driver.details(walk(driver, "shop", "Tables", "users")))
    assert facts["Row estimate"] == "~500 rows"
    for name in ("Total size", "Table size", "Index size", "TOAST size"):
        assert facts[name].endswith(("bytes", "kB", "MB")), name
    assert facts["Last vacuum"] != "never"
    assert facts["Last analyze"] != "never"
    assert facts["Last autovacuum"] == "never"
    assert facts["Dead rows"] == "0"
    assert "Sequential scans" in facts
    assert "Index scans" in facts
    assert facts["Comment"] == "people who buy"


def test_partitioned_table_total_size_sums_partitions(driver: PostgresDriver) -> None:
    facts = dict(driver.details(walk(driver, "shop", "Tables", "events")))
    assert facts["Row estimate"] == "not analysed"
    assert facts["Total size"] != "0 bytes"  # partitions' storage, not the empty parent's


def test_database_details_and_other_nodes_use_meta(driver: PostgresDriver) -> None:
    facts = dict(driver.details(child(driver, None, DATABASE)))
    assert facts["Size"].endswith("MB")
    assert facts["Encoding"] == "UTF8"
    sequence = walk(driver, "shop", "Sequences", "ticket_seq")
    assert driver.details(sequence) == sequence.meta


def test_switch_database(driver: PostgresDriver) -> None:
    driver.switch_database("postgres")
    assert driver.current_database == "postgres"
    current = [n.label for n in driver.children(None) if n.expandable]
    assert current == ["postgres"]
    driver.switch_database(DATABASE)
    assert driver.current_database == DATABASE


def test_switch_to_a_missing_database_keeps_the_old_one(driver: PostgresDriver) -> None:
    with pytest.raises(Exception, match="does not exist"):
        driver.switch_database("no_such_database")
    assert driver.current_database == DATABASE
    assert labels(driver, walk(driver, "shop", "Views")) == ["big_orders"]


# -- scale: one round trip per level, whatever the number of tables ---------------------------


@pytest.fixture
def many_tables_url(postgres_db_url: str) -> str:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA many")
        for first in range(1, 3001, 500):
            conn.execute(
                f"DO $$ BEGIN FOR i IN {first}..{first + 499} LOOP"
                " EXECUTE format('CREATE TABLE many.t%s (id int PRIMARY KEY, v text)', i);"
                " END LOOP; END $$"
            )
    return postgres_db_url


def _round_trips(trace: Path) -> int:
    """Completed server round trips in a libpq trace: one ReadyForQuery each."""
    return sum("\tReadyForQuery" in line for line in trace.read_text().splitlines())


def test_three_thousand_tables_list_in_one_round_trip(many_tables_url: str, tmp_path: Path) -> None:
    driver = PostgresDriver(spec_from_url(many_tables_url))
    driver.connect()
    try:
        schema = child(driver, child(driver, None, many_tables_url.rsplit("/", 1)[1]), "many")
        catalog = driver._catalog  # the introspection connection, traced at the libpq level
        assert catalog is not None
        trace = tmp_path / "trace.txt"
        with trace.open("w") as out:
            catalog.pgconn.trace(out.fileno())
            catalog.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
            folders = {n.label: n for n in driver.children(schema)}
            tables = driver.children(folders["Tables"])
            table_folders = driver.children(tables[0])
            catalog.pgconn.untrace()
        assert folders["Tables"].detail == "3000"
        assert len(tables) == 3000
        assert [f.label for f in table_folders] == ["Columns", "Indexes", "Constraints", "Triggers"]
        assert _round_trips(trace) == 3  # schema folders, the 3000 tables, one table's folders
    finally:
        driver.close()
