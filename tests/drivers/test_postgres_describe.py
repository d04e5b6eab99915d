"""Describe (psql's ``\\d``) and format on a real PostgreSQL: sections, DDL that recreates
the object, foreign keys both ways, views, materialized views, functions, hostile names."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest
from drivertools import connected

from dbtui.core.capabilities.describing import Describing
from dbtui.core.capabilities.formatting import FormatError, Formatting
from dbtui.core.catalog import CatalogNode, Kind
from dbtui.core.describe import Description
from dbtui.core.errors import QueryError
from dbtui.drivers.postgres import PostgresDriver

pytestmark = pytest.mark.postgres

HOSTILE = 'Evil [b]x[/] \x1b[31m"q'

SCHEMA_SQL = f"""
CREATE SCHEMA shop;
CREATE TABLE shop.customers (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text COLLATE "C" DEFAULT 'anon',
    doubled int GENERATED ALWAYS AS (id * 2) STORED
);
COMMENT ON TABLE shop.customers IS 'people who buy';
COMMENT ON COLUMN shop.customers.email IS 'login ''address''';
CREATE TABLE shop.orders (
    id bigserial PRIMARY KEY,
    customer_id int NOT NULL REFERENCES shop.customers (id) ON DELETE CASCADE,
    total numeric(10, 2) CHECK (total >= 0),
    status text NOT NULL DEFAULT 'open'
);
CREATE INDEX orders_big ON shop.orders (total) WHERE total > 100;
CREATE TABLE shop.refunds (
    id int PRIMARY KEY,
    order_id bigint REFERENCES shop.orders (id)
);
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders
    FOR EACH ROW EXECUTE FUNCTION shop.touch();
CREATE VIEW shop.open_orders AS SELECT id, total FROM shop.orders WHERE status = 'open';
CREATE MATERIALIZED VIEW shop.order_totals AS
    SELECT customer_id, sum(total) AS total FROM shop.orders GROUP BY customer_id;
CREATE UNIQUE INDEX order_totals_customer ON shop.order_totals (customer_id);
CREATE FUNCTION shop.add(a int, b int DEFAULT 1) RETURNS int
    LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT a + b $$;
COMMENT ON FUNCTION shop.add(int, int) IS 'adds';
CREATE PROCEDURE shop.reset() LANGUAGE sql AS $$ DELETE FROM shop.refunds $$;
CREATE AGGREGATE shop.total_of(int) (sfunc = int4pl, stype = int);
CREATE TABLE shop.events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE shop.events_2024 PARTITION OF shop.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE shop."{HOSTILE.replace('"', '""')}" (
    "{HOSTILE.replace('"', '""')}" int
);
COMMENT ON TABLE shop."{HOSTILE.replace('"', '""')}" IS '{HOSTILE.replace("'", "''")}';
"""


@pytest.fixture
def pg(postgres_db_url: str) -> Iterator[PostgresDriver]:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(SCHEMA_SQL)
    yield from connected(PostgresDriver, postgres_db_url)


def node(driver: PostgresDriver, kind: str, name: str, schema: str = "shop") -> CatalogNode:
    """The catalog node of an object, as the tree builds its key."""
    return CatalogNode(
        key=("db", driver.current_database, "schema", schema, kind, name), label=name, kind=kind
    )


def rows_of(description: Description, title: str) -> list[tuple[str, ...]]:
    found = description.section(title)
    assert found is not None, f"no {title!r} section in {[s.title for s in description.sections]}"
    return list(found.rows)


def test_postgres_driver_has_the_capabilities(pg: PostgresDriver) -> None:
    assert isinstance(pg, Describing)
    assert isinstance(pg, Formatting)
    assert pg.can_describe(node(pg, Kind.TABLE, "orders"))
    column = CatalogNode(
        key=(*node(pg, Kind.TABLE, "orders").key, "folder", "columns", Kind.COLUMN, "id"),
        label="id",
        kind=Kind.COLUMN,
    )
    assert pg.can_describe(column)
    assert not pg.can_describe(
        CatalogNode(key=("db", "x", "schema", "shop"), label="shop", kind=Kind.SCHEMA)
    )
    assert not pg.can_describe(CatalogNode(key=("db", "x"), label="x", kind=Kind.DATABASE))


def test_table_with_foreign_keys_both_ways(pg: PostgresDriver) -> None:
    described = pg.describe(node(pg, Kind.TABLE, "orders"))
    assert described.title == "table shop.orders"
    columns = rows_of(described, "Columns")
    assert [c[0] for c in columns] == ["id", "customer_id", "total", "status"]
    assert columns[0][1] == "bigint"
    assert columns[0][3] == "not null"
    assert "nextval" in columns[0][4]
    assert columns[2] == ("total", "numeric(10,2)", "", "", "", "")
    assert columns[3][4] == "'open'::text"
    indexes = {row[0]: row for row in rows_of(described, "Indexes")}
    assert indexes["orders_pkey"][1:] == ("primary key", "btree (id)")
    assert indexes["orders_big"][2] == "btree (total) WHERE total > 100::numeric"
    assert rows_of(described, "Check constraints") == [
        ("orders_total_check", "CHECK (total >= 0::numeric)")
    ]
    assert rows_of(described, "Foreign keys") == [
        (
            "orders_customer_id_fkey",
            "FOREIGN KEY (customer_id) REFERENCES shop.customers(id) ON DELETE CASCADE",
        )
    ]
    assert rows_of(described, "Referenced by") == [
        (
            "shop.refunds",
            "refunds_order_id_fkey",
            "FOREIGN KEY (order_id) REFERENCES shop.orders(id)",
        )
    ]
    triggers = rows_of(described, "Triggers")
    assert [t[0] for t in triggers] == ["orders_touch"]
    assert "EXECUTE FUNCTION shop.touch()" in triggers[0][2]
    facts = dict(described.facts)
    assert facts["Owner"]
    assert facts["Total size"].endswith(("bytes", "kB"))
    assert (
        "CREATE INDEX orders_big ON shop.orders USING btree (total) WHERE total > 100::numeric;"
        in described.ddl
    )
    assert "CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders" in described.ddl


def test_a_column_describes_its_table(pg: PostgresDriver) -> None:
    table = node(pg, Kind.TABLE, "customers")
    column = CatalogNode(
        key=(*table.key, "folder", "columns", Kind.COLUMN, "email"), label="email", kind=Kind.COLUMN
    )
    assert pg.describe(column) == pg.describe(table)


def test_table_ddl_recreates_the_table(pg: PostgresDriver, postgres_db_url: str) -> None:
    before = pg.describe(node(pg, Kind.TABLE, "customers"))
    ddl = before.ddl
    assert "id integer GENERATED ALWAYS AS IDENTITY NOT NULL" in ddl
    assert "name text COLLATE \"C\" DEFAULT 'anon'::text" in ddl
    assert "doubled integer GENERATED ALWAYS AS ((id * 2)) STORED" in ddl
    assert "CONSTRAINT customers_pkey PRIMARY KEY (id)" in ddl
    assert "COMMENT ON COLUMN shop.customers.email IS 'login ''address''';" in ddl
    assert rows_of(before, "Referenced by")[0][0] == "shop.orders"
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("DROP TABLE shop.customers CASCADE")
        conn.execute(ddl)  # the DDL as shown runs and gives the same table back
    after = pg.describe(node(pg, Kind.TABLE, "customers"))
    assert after.section("Columns") == before.section("Columns")
    assert after.section("Indexes") == before.section("Indexes")
    assert dict(after.facts)["Comment"] == "people who buy"
    assert after.section("Referenced by") is None  # the CASCADE dropped orders' key


def test_partitioned_table_and_partition(pg: PostgresDriver, postgres_db_url: str) -> None:
    parent = pg.describe(node(pg, Kind.TABLE, "events"))
    assert parent.title == "partitioned table shop.events"
    assert rows_of(parent, "Partitions") == [
        ("shop.events_2024", "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')")
    ]
    assert "PARTITION BY RANGE (at);" in parent.ddl
    child = pg.describe(node(pg, Kind.TABLE, "events_2024"))
    assert dict(child.facts)["Partition of"] == "shop.events"
    assert child.ddl.startswith(
        "CREATE TABLE shop.events_2024 PARTITION OF shop.events\n"
        "    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
    )
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("DROP TABLE shop.events_2024")
        conn.execute(child.ddl)
    assert pg.describe(node(pg, Kind.TABLE, "events_2024")).ddl == child.ddl


def test_view_and_materialized_view(pg: PostgresDriver, postgres_db_url: str) -> None:
    view = pg.describe(node(pg, Kind.VIEW, "open_orders"))
    assert view.title == "view shop.open_orders"
    assert [c[0] for c in rows_of(view, "Columns")] == ["id", "total"]
    assert view.ddl.startswith("CREATE OR REPLACE VIEW shop.open_orders AS\n SELECT orders.id,")
    assert (
        "WHERE orders.status = 'open'::text;" in view.ddl
        or "WHERE status = 'open'::text;" in view.ddl
    )
    matview = pg.describe(node(pg, "materialized_view", "order_totals"))
    assert matview.title == "materialized view shop.order_totals"
    assert rows_of(matview, "Indexes") == [
        ("order_totals_customer", "unique", "btree (customer_id)")
    ]
    assert matview.ddl.startswith("CREATE MATERIALIZED VIEW shop.order_totals AS\n SELECT")
    assert "\nWITH DATA;\n" in matview.ddl
    assert "CREATE UNIQUE INDEX order_totals_customer ON shop.order_totals" in matview.ddl
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("DROP MATERIALIZED VIEW shop.order_totals")
        conn.execute("DROP VIEW shop.open_orders")
        conn.execute(matview.ddl)
        conn.execute(view.ddl)
    assert pg.describe(node(pg, "materialized_view", "order_totals")).ddl == matview.ddl
    assert pg.describe(node(pg, Kind.VIEW, "open_orders")).ddl == view.ddl


def test_functions_procedures_and_aggregates(pg: PostgresDriver, postgres_db_url: str) -> None:
    added = pg.describe(node(pg, "function", "add(a integer, b integer)"))
    assert added.title == "function shop.add(a integer, b integer)"
    facts = dict(added.facts)
    assert facts["Returns"] == "integer"
    assert facts["Volatility"] == "immutable"
    assert facts["Strict"] == "yes"
    assert facts["Comment"] == "adds"
    assert added.ddl.startswith(
        "CREATE OR REPLACE FUNCTION shop.add(a integer, b integer DEFAULT 1)"
    )
    assert "COMMENT ON FUNCTION shop.add(a integer, b integer) IS 'adds';" in added.ddl
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(added.ddl)  # CREATE OR REPLACE and COMMENT run as shown
    procedure = pg.describe(node(pg, "procedure", "reset()"))
    assert procedure.title == "procedure shop.reset()"
    assert procedure.ddl.startswith("CREATE OR REPLACE PROCEDURE shop.reset()")
    aggregate = pg.describe(node(pg, "aggregate", "total_of(integer)"))
    assert aggregate.ddl == ""
    assert aggregate.notes == ("PostgreSQL gives no definition for an aggregate.",)
    with pytest.raises(QueryError, match="no longer exists"):
        pg.describe(node(pg, "function", "missing()"))


def test_sequence(pg: PostgresDriver) -> None:
    described = pg.describe(node(pg, "sequence", "orders_id_seq"))
    assert described.title == "sequence shop.orders_id_seq"
    assert "CREATE SEQUENCE shop.orders_id_seq\n    AS bigint\n    START WITH 1\n" in described.ddl
    assert described.ddl.endswith("    NO CYCLE;\n")


def test_hostile_names_are_quoted_in_the_ddl(pg: PostgresDriver, postgres_db_url: str) -> None:
    described = pg.describe(node(pg, Kind.TABLE, HOSTILE))
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    assert described.title == f"table shop.{quoted}"
    assert rows_of(described, "Columns")[0][0] == HOSTILE
    assert dict(described.facts)["Comment"] == HOSTILE
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE shop.{quoted}")
        conn.execute(described.ddl)
    assert pg.describe(node(pg, Kind.TABLE, HOSTILE)) == described


def test_a_dropped_object_is_a_query_error(pg: PostgresDriver, postgres_db_url: str) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("DROP TABLE shop.refunds")
    with pytest.raises(QueryError, match="no longer exists"):
        pg.describe(node(pg, Kind.TABLE, "refunds"))


MESSY = """select o.id,c.email , -- who ordered
sum(o.total) /* money */ from shop.orders o join shop.customers c on c.id=o.customer_id
where o.status='open' and o.total>0 group by o.id,c.email order by 1"""


def test_format_keeps_comments_and_meaning(pg: PostgresDriver) -> None:
    formatted = pg.format_sql(MESSY)
    assert "-- who ordered" in formatted
    assert "/* money */" in formatted
    assert "\nFROM " in formatted
    assert "\nWHERE o.status = 'open'" in formatted
    assert "INNER JOIN shop.customers AS c ON c.id = o.customer_id" in formatted
    # the formatted text runs and returns what the original returns
    assert _run(pg, formatted) == _run(pg, MESSY)
    assert pg.format_sql(formatted) == formatted  # stable
    assert pg.format_sql("delete from t where x=1;").endswith(";")


def test_format_refuses_what_does_not_parse(pg: PostgresDriver) -> None:
    with pytest.raises(FormatError, match="does not parse"):
        pg.format_sql("selec 1 -- oops")
    assert pg.format_sql("   ") == "   "
    assert pg.format_sql("-- only a comment") == "-- only a comment"


def test_format_keeps_the_last_semicolon_before_a_comment(pg: PostgresDriver) -> None:
    formatted = pg.format_sql("select 1; -- done")
    assert formatted.startswith("SELECT 1;")
    assert "-- done" in formatted
    assert pg.format_sql("select 1 -- not ended").startswith("SELECT 1 -- not ended")


def _run(driver: PostgresDriver, sql: str) -> list[object]:
    from dbtui.core.results import RowsResult

    rows: list[object] = []
    for result in driver.execute(sql):
        if isinstance(result, RowsResult):
            rows.extend(result.rows.fetch(1000))
            result.rows.close()
    return rows


def test_a_locked_table_fails_fast(pg: PostgresDriver, postgres_db_url: str) -> None:
    """Deparsing defaults and definitions needs a lock, as for psql's ``\\d``: a table locked
    by another session fails after the catalog's lock timeout instead of waiting."""
    started = time.monotonic()
    with psycopg.connect(postgres_db_url) as locker:
        locker.execute("LOCK TABLE shop.orders IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(QueryError, match="lock timeout"):
            pg.describe(node(pg, Kind.TABLE, "orders"))
        locker.rollback()
    assert time.monotonic() - started < 15
    assert pg.describe(node(pg, Kind.TABLE, "orders")).title == "table shop.orders"


def test_foreign_table_ddl(pg: PostgresDriver, postgres_db_url: str) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION file_fdw")
        conn.execute("CREATE SERVER files FOREIGN DATA WRAPPER file_fdw")
        conn.execute(
            "CREATE FOREIGN TABLE shop.ext (a int NOT NULL, b text)"
            " SERVER files OPTIONS (filename '/dev/null', format 'csv')"
        )
    described = pg.describe(node(pg, "foreign_table", "ext"))
    assert described.title == "foreign table shop.ext"
    assert dict(described.facts)["Foreign server"] == "files"
    assert described.ddl == (
        "CREATE FOREIGN TABLE shop.ext (\n    a integer NOT NULL,\n    b text\n)\n"
        "SERVER files\nOPTIONS (filename '/dev/null', format 'csv');\n"
    )
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("DROP FOREIGN TABLE shop.ext")
        conn.execute(described.ddl)
    assert pg.describe(node(pg, "foreign_table", "ext")) == described


def test_row_level_security_and_policies(pg: PostgresDriver, postgres_db_url: str) -> None:
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE shop.refunds ENABLE ROW LEVEL SECURITY")
        conn.execute("CREATE POLICY mine ON shop.refunds FOR SELECT USING (id > 0)")
        conn.execute(
            "CREATE POLICY strict ON shop.refunds AS RESTRICTIVE FOR INSERT TO postgres"
            " WITH CHECK (order_id IS NOT NULL)"
        )
    described = pg.describe(node(pg, Kind.TABLE, "refunds"))
    assert dict(described.facts)["Row-level security"] == "enabled"
    assert rows_of(described, "Policies") == [
        ("mine", "SELECT", "PUBLIC", "(id > 0)", ""),
        ("strict", "INSERT (restrictive)", "postgres", "", "(order_id IS NOT NULL)"),
    ]
    assert "ALTER TABLE shop.refunds ENABLE ROW LEVEL SECURITY;" in described.ddl
    assert "CREATE POLICY mine ON shop.refunds FOR SELECT TO PUBLIC\n    USING ((id > 0));" in (
        described.ddl
    )
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute("DROP TABLE shop.refunds")
        conn.execute(described.ddl)
    assert pg.describe(node(pg, Kind.TABLE, "refunds")) == described
