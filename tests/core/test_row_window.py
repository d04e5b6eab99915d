"""RowWindow: which rows a viewer holds as pages come in below, above, or far away."""

from __future__ import annotations

from dbtui.core.window import RowWindow


def page(start: int, size: int = 10) -> list[int]:
    return list(range(start, start + size))


def test_pages_below_slide_the_window_and_drop_rows_at_the_top() -> None:
    window: RowWindow[int] = RowWindow(page_size=10, capacity=30)
    window.place(0, page(0), 10)
    for start in (10, 20, 30, 40):
        assert window.page_below() == start
        window.place(start, page(start), 10)
    assert (window.start, window.end, window.items) == (20, 50, list(range(20, 50)))
    assert window.describe() == "rows 21-50 of ≥ 50 in memory"


def test_a_page_above_is_prepended_and_rows_drop_at_the_bottom() -> None:
    window: RowWindow[int] = RowWindow(page_size=10, capacity=30)
    window.place(40, page(40), 10)
    window.place(50, page(50), 10)
    window.place(60, page(60), 10)
    assert window.page_above() == 30
    window.place(30, page(30), 10)
    assert window.items == list(range(30, 60))
    assert window.holds(30)
    assert not window.holds(60)


def test_a_short_page_ends_the_result_and_a_far_page_replaces_the_window() -> None:
    window: RowWindow[int] = RowWindow(page_size=10, capacity=30)
    window.place(0, page(0), 10)
    window.place(10, page(10, 4), 10)
    assert window.total == 14
    assert window.page_below() is None
    assert window.describe("documents") == "documents 1-14 of 14 in memory"
    window.place(0, page(0), 10)  # inside the window already: nothing changes
    assert window.items == list(range(14))
    far: RowWindow[int] = RowWindow(page_size=10, capacity=30)
    far.place(0, page(0), 10)
    far.place(500, page(500), 10)
    assert (far.start, far.items) == (500, page(500))
    assert far.page_of(517) == 510
    assert far.page_above() == 490
