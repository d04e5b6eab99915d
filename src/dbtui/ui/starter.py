"""The text a new editor starts with: a few runnable examples per engine."""

from __future__ import annotations

from dbtui.core.spec import ConnectionSpec
from dbtui.ui.session import Session

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

EXAMPLES = {
    "sqlite": "-- F5 runs the statement under the cursor, F6 explains it.\n"
    "SELECT name, type FROM sqlite_schema ORDER BY type, name;\n",
    "postgresql": "-- F5 runs the statement under the cursor, F6 explains it.\n"
    "SELECT schemaname, relname, n_live_tup\nFROM pg_stat_user_tables\n"
    "ORDER BY n_live_tup DESC\nLIMIT 20;\n",
    "mongodb": "// F5 runs the command under the cursor.\nshow collections\n",
    "redis": "# F5 runs the command under the cursor.\nINFO keyspace\n",
}


def initial_text(session: Session) -> str:
    """What a connection's editor opens with: its tabs saved last time, else examples.

    Fills ``session.tabs`` (once) and returns the text of the first tab.
    """
    if not session.tabs:
        try:
            saved = session.buffers.load()
        except OSError:
            saved = []
        session.tabs = saved or [starter_text(session.spec)]
        session.tab = 0
    return session.tabs[session.tab]


def starter_text(spec: ConnectionSpec) -> str:
    """Initial editor text for a connection."""
    if spec.name == "demo" and spec.engine == "sqlite":
        return DEMO
    return EXAMPLES.get(spec.engine, "")
