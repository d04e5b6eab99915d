"""Deterministic fake rows for the demo database (see :mod:`dbtui.drivers.sqlite.demo`).

Every generator takes a seeded :class:`random.Random`, so the same seed gives
the same database. Timestamps are produced as Unix seconds and turned into
``YYYY-MM-DD HH:MM:SS`` text by SQLite (``datetime(?, 'unixepoch')``) while
inserting, which is much faster than formatting them in Python.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from itertools import accumulate

START = 1_640_995_200  # 2022-01-01 00:00:00 UTC
END = 1_751_328_000  # 2025-07-01 00:00:00 UTC
DAY = 86_400


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Ada Alan Alice Amir Ana Ben Bruno Carla Chen Chloe Dana David Elena Emma Eva Farah "
    "Felix Grace Hana Hugo Ines Ivan Jana Jonas Julia Kai Karim Lara Leo Lina Luca Maya "
    "Marta Mateo Mia Nadia Nils Noah Olga Omar Paula Pedro Priya Rosa Sam Sara Sofia "
    "Tariq Theo Vera Yuki Zoe"
)
LAST_NAMES = _words(
    "Adams Bauer Becker Costa Dubois Eriksen Fischer Garcia Hansen Ito Jensen Khan "
    "Kowalski Lee Lopez Martin Meyer Moreau Nakamura Novak Nowak Okafor Olsen Patel "
    "Petrov Rossi Sato Schmidt Silva Smith Suzuki Tanaka Wagner Weber Wilson Yilmaz "
    "Zhang"
)
DOMAINS = ("example.com", "mail.test", "corp.example", "uni.example.edu", "inbox.test")
COUNTRIES = (
    ("DE", 20),
    ("FR", 15),
    ("US", 25),
    ("GB", 10),
    ("JP", 8),
    ("BR", 7),
    ("IN", 10),
    ("SE", 5),
)
WORDS = _words(
    "index query table row column join scan search tree page cache lock commit rollback "
    "schema view trigger plan cost filter sort group order limit offset value null key "
    "foreign primary unique partial covering vacuum analyze journal wal checkpoint "
    "backup replica shard cluster latency throughput memory disk buffer cursor stream "
    "batch the a of to and in is for on with that this it as at by from be are was fast "
    "slow"
)
CATEGORY_TREE = {
    "Databases": ("SQLite", "PostgreSQL", "MongoDB", "Redis"),
    "Programming": ("Python", "Rust", "Go", "TypeScript"),
    "Operations": ("Monitoring", "Backups", "Networking"),
    "Design": ("Terminal UIs", "Accessibility"),
    "Data": ("Analytics", "Machine learning", "Visualisation"),
    "Community": ("Events", "Announcements"),
}
SUB_CATEGORIES = {"Python": ("Async", "Packaging"), "SQLite": ("Query planner", "Extensions")}
TAGS = _words(
    "beginner advanced howto performance indexing explain tuning security release bug "
    "question showcase benchmark migration tooling tui cli testing ci docs opinion news "
    "tip deep-dive postmortem"
)
ORDER_STATUSES = (
    ("delivered", 70),
    ("shipped", 10),
    ("paid", 8),
    ("pending", 5),
    ("cancelled", 5),
    ("refunded", 2),
)
USER_AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36",
    "curl/8.8.0",
    "dbtui-demo-bot/1.0 (+https://example.com/bot)",
)


def users(rng: random.Random, count: int) -> Iterator[tuple[object, ...]]:
    """(id, email, name, country, created_at epoch, is_admin)."""
    countries = [code for code, _ in COUNTRIES]
    weights = [weight for _, weight in COUNTRIES]
    for user_id in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first.lower()}.{last.lower()}{user_id}@{rng.choice(DOMAINS)}"
        country = rng.choices(countries, weights)[0]
        created = rng.randrange(START, END - 30 * DAY)
        yield user_id, email, f"{first} {last}", country, created, int(user_id % 500 == 1)


def categories() -> list[tuple[int, int | None, str, str]]:
    """(id, parent_id, name, slug): a three-level hierarchy."""
    rows: list[tuple[int, int | None, str, str]] = []

    def add(parent: int | None, name: str) -> int:
        rows.append((len(rows) + 1, parent, name, _slug(name)))
        return len(rows)

    for top, children in CATEGORY_TREE.items():
        top_id = add(None, top)
        for child in children:
            child_id = add(top_id, child)
            for grandchild in SUB_CATEGORIES.get(child, ()):
                add(child_id, grandchild)
    return rows


def _slug(name: str) -> str:
    return "-".join(name.lower().split())


def posts(
    rng: random.Random, count: int, user_count: int, category_ids: Sequence[int]
) -> Iterator[tuple[object, ...]]:
    """(id, user_id, category_id, title, body, status, view_count, created_at epoch)."""
    for post_id in range(1, count + 1):
        title = " ".join(rng.choices(WORDS, k=rng.randint(3, 8))).capitalize()
        body = " ".join(rng.choices(WORDS, k=rng.randint(20, 120))).capitalize() + "."
        status = rng.choices(("published", "draft", "archived"), (85, 10, 5))[0]
        category = rng.choice(category_ids) if rng.random() < 0.95 else None
        views = int(rng.paretovariate(1.2) * 10)
        created = rng.randrange(START, END)
        yield post_id, rng.randint(1, user_count), category, title, body, status, views, created


def post_tags(rng: random.Random, post_count: int, tag_count: int) -> Iterator[tuple[int, int]]:
    """(post_id, tag_id): zero to five distinct tags per post."""
    for post_id in range(1, post_count + 1):
        for tag_id in rng.sample(range(1, tag_count + 1), rng.randint(0, 5)):
            yield post_id, tag_id


def orders(rng: random.Random, count: int, user_count: int) -> Iterator[tuple[object, ...]]:
    """(id, user_id, status, total_cents, currency, created_at, shipped_at) epochs."""
    statuses = [status for status, _ in ORDER_STATUSES]
    cumulative = list(accumulate(weight for _, weight in ORDER_STATUSES))
    shipped_statuses = frozenset(statuses[:2])
    random_ = rng.random
    for order_id in range(1, count + 1):
        status = rng.choices(statuses, cum_weights=cumulative)[0]
        created = START + int(random_() * (END - START))
        shipped = None
        if status in shipped_statuses:
            shipped = created + DAY // 2 + int(random_() * 4.5 * DAY)
        total = int(rng.lognormvariate(8.0, 0.9))
        currency = "EUR" if random_() < 0.8 else "USD"
        user = 1 + int(random_() * user_count)
        yield order_id, user, status, total, currency, created, shipped


def sessions(rng: random.Random, count: int, user_count: int) -> Iterator[tuple[object, ...]]:
    """(id, user_id, started_at, ended_at or None, ip, user_agent); ~2% still open."""
    random_ = rng.random
    for session_id in range(1, count + 1):
        started = START + int(random_() * (END - START))
        ended = None if random_() < 0.02 else started + 30 + int(random_() * 4 * 3600)
        bits = rng.getrandbits(32)
        ip = f"{1 + (bits >> 24) % 223}.{(bits >> 16) & 255}.{(bits >> 8) & 255}.{1 + bits % 254}"
        agent = USER_AGENTS[int(random_() * len(USER_AGENTS))]
        yield session_id, 1 + int(random_() * user_count), started, ended, ip, agent
