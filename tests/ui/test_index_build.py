"""Creating a suggested index on a real PostgreSQL: CONCURRENTLY, progress, cancel, refusals.

An open transaction that wrote to the table makes ``CREATE INDEX CONCURRENTLY``
wait in its "waiting for writers" phase until it ends, so the progress (and a
cancel in the middle of the build) can be observed without any timing.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
from textual.pilot import Pilot
from textual.widgets import RichLog, Static, TabbedContent
from uitools import settle, until

from dbtui.core.advice import Confidence, Suggestion
from dbtui.core.registry import open_driver
from dbtui.core.spec import spec_from_url
from dbtui.drivers.postgres.driver import PostgresDriver
from dbtui.drivers.postgres.index_ddl import concurrent_ddl
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.widgets.advice.view import AdviceView

PLAIN = "CREATE INDEX ON public.orders (customer_id)"
STATEMENT = "SELECT * FROM orders WHERE customer_id = 42"


@pytest.fixture
def orders_url(postgres_db_url: str) -> str:
    """A database with a 100k-row ``orders`` table and no index."""
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE orders AS SELECT g AS id, g % 5000 AS customer_id "
            "FROM generate_series(1, 100000) g"
        )
        conn.execute("ANALYZE orders")
    return postgres_db_url


def suggestion(ddl: str = PLAIN) -> Suggestion:
    """A hand-made suggestion (the advisor itself is covered by test_advice_ui)."""
    return Suggestion("postgres", "public.orders", ddl, "customer_id = ?", Confidence.HEURISTIC)


def indexes(url: str) -> list[tuple[str, bool]]:
    """(name, valid) of every index on ``orders``."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'orders'::regclass"
        ).fetchall()
    return [(str(name), bool(valid)) for name, valid in rows]


async def log_text(app: DbtuiApp, pilot: Pilot[int]) -> str:
    """Everything written to the Messages tab so far (shown first: RichLog renders when seen)."""
    main_screen(app).show_tab("tab-messages")
    log = app.screen.query_one("#messages", RichLog)
    await until(pilot, lambda: bool(log.lines), "the Messages tab")
    return "\n".join(line.text for line in log.lines)


def main_screen(app: DbtuiApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def summary(app: DbtuiApp) -> str:
    """The Advice tab's summary line."""
    return str(app.screen.query_one("#advice-summary", Static).render())


def test_plain_create_index_is_rewritten_concurrently() -> None:
    assert concurrent_ddl(PLAIN) == "CREATE INDEX CONCURRENTLY ON public.orders (customer_id)"
    assert concurrent_ddl("create unique index i on t (a)").startswith(
        "create unique index CONCURRENTLY i"
    )
    done = "CREATE INDEX CONCURRENTLY ON t (a)"
    assert concurrent_ddl(done) == done
    assert concurrent_ddl("DROP INDEX CONCURRENTLY i") == "DROP INDEX CONCURRENTLY i"


async def test_create_builds_concurrently_with_progress(orders_url: str) -> None:
    spec = spec_from_url(orders_url)
    app = DbtuiApp([(spec, open_driver(spec))])
    blocker = psycopg.connect(orders_url)
    blocker.execute("INSERT INTO orders VALUES (0, 0)")  # an open writing transaction
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app)
            view = app.screen.query_one(AdviceView)
            view.show("test", [suggestion()], STATEMENT)
            main_screen(app).show_tab("tab-advice")
            view.table.focus()
            await pilot.press("c")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("tab", "enter")  # Yes: Tab from the focused No, then Enter
            await until(pilot, lambda: "waiting for writers" in summary(app), "progress")
            assert indexes(orders_url) == [("orders_customer_id_idx", False)], "still building"
            blocker.commit()
            tabs = app.screen.query_one(TabbedContent)
            await until(pilot, lambda: tabs.active == "tab-plan", "the plan after the build")
            await settle(app)
            log = await log_text(app, pilot)
            assert "✓ CREATE INDEX CONCURRENTLY ON public.orders (customer_id)" in log
            assert "Building the index: waiting for writers" in log
    finally:
        blocker.close()
    assert indexes(orders_url) == [("orders_customer_id_idx", True)]


async def test_cancel_leaves_an_invalid_index_and_offers_the_drop(orders_url: str) -> None:
    spec = spec_from_url(orders_url)
    app = DbtuiApp([(spec, open_driver(spec))])
    blocker = psycopg.connect(orders_url)
    blocker.execute("INSERT INTO orders VALUES (0, 0)")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app)
            view = app.screen.query_one(AdviceView)
            view.show("test", [suggestion()], STATEMENT)
            main_screen(app).show_tab("tab-advice")
            view.table.focus()
            await pilot.press("c", "tab", "enter")
            await until(pilot, lambda: "waiting for writers" in summary(app), "progress")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "drop offer")
            offer = app.screen
            assert isinstance(offer, ConfirmScreen)
            assert offer.detail == "DROP INDEX CONCURRENTLY public.orders_customer_id_idx"
            assert "INVALID" in offer.question
            assert indexes(orders_url) == [("orders_customer_id_idx", False)]
            blocker.rollback()
            await pilot.press("tab", "enter")  # to the name box; Enter there never answers
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press(*"public.orders_customer_id_idx", "tab", "enter")
            await until(pilot, lambda: not indexes(orders_url), "the drop")
            await settle(app)
            log = await log_text(app, pilot)
            assert "cancel" in log.lower()
            assert "✓ DROP INDEX CONCURRENTLY public.orders_customer_id_idx" in log
    finally:
        blocker.close()
    assert indexes(orders_url) == []


async def test_read_only_refuses_before_sending(orders_url: str) -> None:
    spec = spec_from_url(orders_url, read_only=True)
    app = DbtuiApp([(spec, open_driver(spec))])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        view = app.screen.query_one(AdviceView)
        view.show("test", [suggestion()], STATEMENT)
        main_screen(app).show_tab("tab-advice")
        view.table.focus()
        await pilot.press("c")
        await settle(app)
        assert not isinstance(app.screen, ConfirmScreen)
        assert "Read-only" in " ".join(str(n.message) for n in app._notifications)
    assert indexes(orders_url) == []


async def test_inside_a_transaction_refuses(orders_url: str) -> None:
    spec = spec_from_url(orders_url)
    driver = open_driver(spec)
    app = DbtuiApp([(spec, driver)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        assert isinstance(driver, PostgresDriver)
        for result in driver.execute("BEGIN"):
            assert result is not None
        assert driver.transaction_status == "in transaction"
        view = app.screen.query_one(AdviceView)
        view.show("test", [suggestion()], STATEMENT)
        main_screen(app).show_tab("tab-advice")
        view.table.focus()
        await pilot.press("c")
        await settle(app)
        assert not isinstance(app.screen, ConfirmScreen)
        notes = " ".join(str(n.message) for n in app._notifications)
        assert "inside a transaction block" in notes
        assert driver.transaction_status == "in transaction", "nothing was sent"
    assert indexes(orders_url) == []


def test_progress_is_readable_from_another_thread(orders_url: str) -> None:
    driver = PostgresDriver(spec_from_url(orders_url))
    driver.connect()
    blocker = psycopg.connect(orders_url)
    blocker.execute("INSERT INTO orders VALUES (0, 0)")
    errors: list[Exception] = []

    def build() -> None:
        try:
            for _ in driver.execute("CREATE INDEX CONCURRENTLY ON orders (customer_id)"):
                pass
        except Exception as exc:  # reported below
            errors.append(exc)

    pid = driver.backend_pid
    assert pid is not None
    thread = threading.Thread(target=build)
    thread.start()
    phases: set[str] = set()
    try:
        while thread.is_alive() and not any(p.startswith("waiting for writers") for p in phases):
            progress = driver.index_build_progress(pid)
            if progress is not None:
                phases.add(progress[0])
        blocker.commit()
    finally:
        thread.join()
        blocker.close()
    assert not errors
    assert any(phase.startswith("waiting for writers") for phase in phases), phases
    assert driver.index_build_progress(pid) is None, "nothing builds any more"
    assert driver.invalid_indexes() == []
    driver.close()
