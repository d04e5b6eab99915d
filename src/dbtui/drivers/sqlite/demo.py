"""The built-in demo database that ``dbtui`` opens when it is given no URL.

It lives in the user data directory (``demo.sqlite3``) and is built on first
run from a fixed random seed, so every install gets the same rows. The build
writes a temporary file in the same directory and renames it into place, so an
interrupted build never leaves a half-built database behind. The schema version
is stored in ``PRAGMA user_version``; a file from an older version (or a
damaged one) is rebuilt.

Schema: ``users`` (5,000), ``categories`` (a three-level hierarchy through
``parent_id``), ``posts`` (20,000), ``tags`` and ``post_tags`` (~50,000),
``orders`` (200,000), ``sessions`` (250,000, the biggest table), views
``published_posts`` and ``user_order_totals``, a trigger ``posts_touch``, a
generated column ``users.email_domain`` and a partial index ``sessions_open``.
``ANALYZE`` has been run, so ``sqlite_stat1`` holds real statistics.

Indexes deliberately left out, so that the plan view and the index advisor
have something to show (each of these queries does a full SCAN):

- ``sessions.user_id``: ``SELECT * FROM sessions WHERE user_id = 42``
  (250,000 rows read to find about 50).
- ``orders.status``: ``SELECT * FROM orders WHERE status = 'refunded'``
  (the rare statuses are very selective).
- ``orders.created_at``: ``SELECT * FROM orders WHERE created_at >= '2025-06-01'``.
- ``posts.created_at``: ``SELECT * FROM posts ORDER BY created_at DESC LIMIT 20``
  (a SCAN plus a temporary b-tree for the sort).
- ``posts.category_id``: a foreign key without an index on the referencing side.
- ``post_tags.tag_id``: ``SELECT post_id FROM post_tags WHERE tag_id = 3``
  (the primary key starts with ``post_id``).
"""

from __future__ import annotations

import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from dbtui.core.paths import data_dir
from dbtui.drivers.sqlite import demo_data

SCHEMA_VERSION = 1
"""Bump when the schema or the data changes: existing demo files are rebuilt."""
SEED = 20_240_601
FILE_NAME = "demo.sqlite3"
USERS, POSTS, ORDERS, SESSIONS = 5_000, 20_000, 200_000, 250_000
_STALE_TEMP_S = 3_600

SCHEMA = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    created_at TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    email_domain TEXT GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) VIRTUAL
);
CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES categories(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE
);
CREATE INDEX categories_parent ON categories(parent_id);
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'published'
        CHECK (status IN ('draft', 'published', 'archived')),
    view_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT
);
CREATE INDEX posts_user ON posts(user_id);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE post_tags (
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
) WITHOUT ROWID;
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN
        ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
    total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
    currency TEXT NOT NULL DEFAULT 'EUR',
    created_at TEXT NOT NULL,
    shipped_at TEXT
);
CREATE INDEX orders_user ON orders(user_id);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_open ON sessions(started_at) WHERE ended_at IS NULL;
CREATE VIEW published_posts AS
    SELECT p.id, p.title, u.name AS author, c.name AS category, p.created_at, p.view_count
    FROM posts AS p
    JOIN users AS u ON u.id = p.user_id
    LEFT JOIN categories AS c ON c.id = p.category_id
    WHERE p.status = 'published';
CREATE VIEW user_order_totals AS
    SELECT user_id, count(*) AS orders, sum(total_cents) AS total_cents
    FROM orders
    WHERE status NOT IN ('cancelled', 'refunded')
    GROUP BY user_id;
CREATE TRIGGER posts_touch AFTER UPDATE OF title, body ON posts
BEGIN
    UPDATE posts SET updated_at = datetime('now') WHERE id = NEW.id;
END;
"""

_EPOCH = "datetime(?, 'unixepoch')"
_INSERTS = {
    "users": f"INSERT INTO users (id, email, name, country, created_at, is_admin)"
    f" VALUES (?, ?, ?, ?, {_EPOCH}, ?)",
    "categories": "INSERT INTO categories VALUES (?, ?, ?, ?)",
    "posts": "INSERT INTO posts (id, user_id, category_id, title, body, status, view_count,"
    f" created_at) VALUES (?, ?, ?, ?, ?, ?, ?, {_EPOCH})",
    "tags": "INSERT INTO tags VALUES (?, ?)",
    "post_tags": "INSERT INTO post_tags VALUES (?, ?)",
    "orders": f"INSERT INTO orders VALUES (?, ?, ?, ?, ?, {_EPOCH}, {_EPOCH})",
    "sessions": f"INSERT INTO sessions VALUES (?, ?, {_EPOCH}, {_EPOCH}, ?, ?)",
}


def demo_path() -> Path:
    """Where the demo database lives: ``<user data dir>/demo.sqlite3``."""
    return data_dir() / FILE_NAME


def demo_url(path: Path | None = None) -> str:
    """A ``sqlite://`` URL for the demo database (built if needed)."""
    return f"sqlite://{ensure_demo_database(path)}"


def ensure_demo_database(path: Path | None = None) -> Path:
    """Return the demo database's path, building it first when missing or outdated.

    Args:
        path: Where to keep it; defaults to :func:`demo_path`.

    Returns:
        The absolute path of a complete demo database of :data:`SCHEMA_VERSION`.
    """
    target = (path or demo_path()).absolute()
    if schema_version(target) != SCHEMA_VERSION:
        build_demo_database(target)
    return target


def schema_version(path: Path) -> int | None:
    """``PRAGMA user_version`` of ``path``; ``None`` when missing or not a database."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def build_demo_database(path: Path, seed: int = SEED) -> None:
    """Build the demo database at ``path`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_files(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".building", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(temp_name, isolation_level=None)
        try:
            _fill(conn, random.Random(seed))
        finally:
            conn.close()
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _fill(conn: sqlite3.Connection, rng: random.Random) -> None:
    """Create the schema and insert every row in one transaction."""
    conn.execute("PRAGMA journal_mode = OFF")  # a crash only loses the temporary file
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    for statement in _schema_statements():
        conn.execute(statement)
    category_rows = demo_data.categories()
    conn.executemany(_INSERTS["users"], demo_data.users(rng, USERS))
    conn.executemany(_INSERTS["categories"], category_rows)
    conn.executemany(
        _INSERTS["posts"], demo_data.posts(rng, POSTS, USERS, [c[0] for c in category_rows])
    )
    conn.executemany(_INSERTS["tags"], list(enumerate(demo_data.TAGS, start=1)))
    conn.executemany(_INSERTS["post_tags"], demo_data.post_tags(rng, POSTS, len(demo_data.TAGS)))
    conn.executemany(_INSERTS["orders"], demo_data.orders(rng, ORDERS, USERS))
    conn.executemany(_INSERTS["sessions"], demo_data.sessions(rng, SESSIONS, USERS))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = DELETE")


def _schema_statements() -> list[str]:
    """SCHEMA split into statements (the trigger body keeps its inner ';')."""
    statements, current = [], []
    for line in SCHEMA.strip().splitlines():
        current.append(line)
        joined = "\n".join(current)
        if line.rstrip().endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    return statements


def _remove_stale_temp_files(path: Path) -> None:
    """Delete leftovers of builds that crashed more than an hour ago."""
    cutoff = time.time() - _STALE_TEMP_S
    for leftover in path.parent.glob(f".{path.name}.*.building"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            continue
