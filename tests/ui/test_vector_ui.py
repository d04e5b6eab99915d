"""Vectors in the UI on the real PostgreSQL 18 + pgvector server: a vector cell shows a
short preview (the viewer the whole value), ``N`` lists a row's nearest neighbours, and
``R`` in the Advice tab measures the recall of a vector index suggestion."""

from __future__ import annotations

import psycopg
import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea
from uitools import current_screen, make_app, settle

from dbtui.core.results import RowsResult
from dbtui.ui.app import DbtuiApp
from dbtui.ui.screens.dialogs import ConfirmScreen
from dbtui.ui.screens.main import MainScreen
from dbtui.ui.screens.value_viewer import ValueScreen
from dbtui.ui.widgets.advice.recall import RecallScreen
from dbtui.ui.widgets.advice.view import AdviceView
from dbtui.ui.widgets.editor.query_editor import QueryEditor
from dbtui.ui.widgets.results.view import ResultsView
from dbtui.ui.widgets.results.window_table import WindowTable

ITEMS = """
CREATE EXTENSION vector;
CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL, embedding vector(128));
INSERT INTO items
SELECT g, 'item ' || g, ARRAY(SELECT sin(g * d) FROM generate_series(1, 128) d)::vector(128)
  FROM generate_series(1, 300) g;
ANALYZE items;
"""

DOCS = """
CREATE EXTENSION vector;
CREATE TABLE docs (id int PRIMARY KEY, emb vector(16));
INSERT INTO docs
SELECT g, ARRAY(SELECT sin(g * d + d * d) FROM generate_series(1, 16) d)::vector(16)
  FROM generate_series(1, 3000) g;
ANALYZE docs;
"""

KNN = "SELECT id FROM docs ORDER BY emb <=> (SELECT emb FROM docs WHERE id = 1) LIMIT 5"


@pytest.fixture
def items_url(pgvector_db_url: str) -> str:
    with psycopg.connect(pgvector_db_url, autocommit=True) as conn:
        conn.execute(ITEMS)
    return pgvector_db_url


@pytest.fixture
def docs_url(pgvector_db_url: str) -> str:
    with psycopg.connect(pgvector_db_url, autocommit=True) as conn:
        conn.execute(DOCS)
    return pgvector_db_url


def notifications(app: DbtuiApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def shown_rows(view: ResultsView) -> list[tuple[object, ...]]:
    rows = [item for item in view.items if isinstance(item, tuple)]
    assert len(rows) == len(view.items)
    return rows


async def test_a_vector_cell_is_a_preview_and_the_viewer_has_it_all(items_url: str) -> None:
    app = make_app(items_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT id, embedding FROM items ORDER BY id"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        table = app.screen.query_one(WindowTable)
        table.focus()
        table.move_cursor(row=0, column=1)
        await pilot.pause()
        assert str(table.get_cell_at(table.cursor_coordinate)) == "[0.841, 0.909, 0.141, …] (128d)"
        await pilot.press("enter")
        await settle(app)
        viewer = current_screen(app)
        assert isinstance(viewer, ValueScreen)
        whole = viewer.query_one("#value-text", TextArea).text.replace("\n", "")
        assert whole.startswith("[0.84147")
        assert whole.endswith("]")
        assert whole.count(",") == 127  # every component, not the preview


async def test_neighbours_of_a_row_come_back_nearest_first(items_url: str) -> None:
    app = make_app(items_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        editor = app.screen.query_one(QueryEditor)
        editor.text = "SELECT id, label FROM items WHERE id BETWEEN 40 AND 60 ORDER BY id"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        table = app.screen.query_one(WindowTable)
        table.focus()
        table.move_cursor(row=2)  # id 42
        await pilot.press("N")
        await settle(app)
        view = app.screen.query_one(ResultsView)
        result = view.result
        assert isinstance(result, RowsResult)
        names = [column.name for column in result.columns]
        assert names[-1] == "distance"
        assert "embedding" in names
        rows = shown_rows(view)
        assert len(rows) == 11  # the row itself and its 10 nearest neighbours
        assert rows[0][0] == 42
        distances = [float(str(row[-1])) for row in rows]
        assert distances[0] == pytest.approx(0.0, abs=1e-6)
        assert distances == sorted(distances)
        assert distances[1] > 0
        assert len({row[0] for row in rows}) == 11
        assert "ORDER BY" in result.statement
        assert "<->" in result.statement
        # Another result without a vector column: a clear message, nothing runs.
        editor.text = "SELECT 1 AS x"
        editor.focus()
        await pilot.press("f5")
        await settle(app)
        table.focus()
        await pilot.press("N")
        await settle(app)
        assert "No nearest neighbours for this row" in notifications(app)
        assert view.result is not None
        assert view.result.statement == "SELECT 1 AS x"


async def advise_knn(app: DbtuiApp, pilot: Pilot[int]) -> AdviceView:
    """F9 on :data:`KNN`; the cursor on its HNSW suggestion in the Advice tab."""
    editor = app.screen.query_one(QueryEditor)
    editor.text = KNN
    editor.focus()
    await pilot.press("f9")
    await settle(app)
    view = app.screen.query_one(AdviceView)
    hnsw = [n for n, item in enumerate(view.items) if getattr(item, "method", "") == "hnsw"]
    assert hnsw, "a cosine k-NN query without an index gets an HNSW suggestion"
    view.table.focus()
    view.table.move_cursor(row=hnsw[0])
    return view


def check_indexes(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'docs'").fetchall()
    return sorted(str(row[0]) for row in rows)


async def test_recall_builds_only_after_a_yes_and_shows_the_report(docs_url: str) -> None:
    app = make_app(docs_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        view = await advise_knn(app, pilot)
        await pilot.press("R")
        await settle(app)
        question = current_screen(app)
        assert isinstance(question, ConfirmScreen)
        assert "SHARE lock" in question.detail
        assert "rolled back" in question.detail
        await pilot.press("n")  # no: nothing is built or measured
        await settle(app)
        assert isinstance(current_screen(app), MainScreen)
        assert not view.recall
        await pilot.press("R")
        await settle(app)
        await pilot.press("tab", "enter")  # yes, deliberately
        await settle(app)
        report = current_screen(app)
        assert isinstance(report, RecallScreen)
        text = str(report.query_one("#recall-report", Static).render())
        assert "recall" in text.lower()
        assert "ef_search" in text
        await pilot.press("escape")
        await settle(app)
        assert isinstance(current_screen(app), MainScreen)
        (lines,) = view.recall.values()
        assert any("ef_search" in line for line in lines)
    assert check_indexes(docs_url) == ["docs_pkey"]  # the check's index was rolled back


async def test_recall_on_a_read_only_connection_never_builds(docs_url: str) -> None:
    app = make_app(docs_url, read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        view = await advise_knn(app, pilot)
        await pilot.press("R")
        await settle(app)
        report = current_screen(app)
        assert isinstance(report, RecallScreen)  # no question: it cannot build at all
        assert "read-only" in str(report.query_one("#recall-report", Static).render())
        await pilot.press("escape")
        await settle(app)
        assert not view.recall
    assert check_indexes(docs_url) == ["docs_pkey"]


BIGGER = """
CREATE EXTENSION vector;
CREATE TABLE docs (id int PRIMARY KEY, emb vector(128));
INSERT INTO docs
SELECT g, ARRAY(SELECT random() + g * 0 FROM generate_series(1, 128))::vector(128)
  FROM generate_series(1, 40000) g;
ANALYZE docs;
"""


async def test_esc_cancels_a_running_recall_check(pgvector_db_url: str) -> None:
    with psycopg.connect(pgvector_db_url, autocommit=True) as conn:
        conn.execute(BIGGER)
    app = make_app(pgvector_db_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await advise_knn(app, pilot)
        await pilot.press("R")
        await settle(app)
        await pilot.press("tab", "enter")  # yes: build the index for the check
        await pilot.pause(0.5)
        screen = current_screen(app)
        assert isinstance(screen, RecallScreen)
        assert screen.running, "the HNSW build of 40,000 vectors takes seconds"
        await pilot.press("escape")
        await settle(app)
        assert current_screen(app) is screen
        text = str(screen.query_one("#recall-report", Static).render())
        assert "cancel" in text.lower()
        await pilot.press("escape")
        await settle(app)
        assert isinstance(current_screen(app), MainScreen)
    assert check_indexes(pgvector_db_url) == ["docs_pkey"]
