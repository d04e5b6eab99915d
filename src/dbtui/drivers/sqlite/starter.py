"""What a new SQLite editor shows: the demo's guided tour, or one runnable example."""

from __future__ import annotations

from dbtui.core.spec import ConnectionSpec

DEMO = """\
-- dbtui demo database (SQLite)
-- F5 run  F6 plan  F2 catalog  F1 keys
SELECT status, count(*) AS orders,
       sum(total_cents) / 100.0 AS revenue
FROM orders
GROUP BY status
ORDER BY orders DESC;

-- No index on sessions.user_id:
-- F6 shows a full SCAN of 250,000 rows.
SELECT * FROM sessions WHERE user_id = 42;

SELECT p.title, u.name, p.created_at
FROM posts p JOIN users u ON u.id = p.user_id
ORDER BY p.created_at DESC
LIMIT 20;
"""
"""The demo database's tour (its queries match the demo's tables and missing index)."""

EXAMPLE = (
    "-- F5 runs the statement under the cursor, F6 explains it.\n"
    "SELECT name, type FROM sqlite_schema ORDER BY type, name;\n"
)
"""Any other SQLite database."""


def starter_text(spec: ConnectionSpec) -> str:
    """:data:`DEMO` for the built-in demo connection, else :data:`EXAMPLE`."""
    return DEMO if spec.name == "demo" else EXAMPLE
