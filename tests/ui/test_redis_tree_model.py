"""The browser's key tree model: opened folders win the name budget (pure, no server)."""

from __future__ import annotations

from dbtui.ui.key_browser.tree_model import BrowserKeyTree


def names(folder: str, count: int) -> list[bytes]:
    return [f"{folder}:{i}".encode() for i in range(count)]


def test_an_opened_folder_takes_names_back_from_closed_ones() -> None:
    model = BrowserKeyTree(b":", leaf_cap=50, max_leaves=100, expanded_leaf_cap=1000)
    for folder in ("a", "b", "c", "d"):
        model.add(names(folder, 80))
    assert model.leaf_count == 100
    d = model.folder(b"d")
    assert d is not None
    assert not d.leaves  # the budget went to a and b
    assert d.count == 80

    model.expand(b"d")
    model.fill(names("d", 80))  # what the folder's own scan finds
    assert len(d.leaves) == 80
    assert model.leaf_count <= 100
    assert d.count == 80  # filling does not count twice
    assert model.root.count == 320
    closed = [model.folder(name) for name in (b"a", b"b")]
    assert any(folder is not None and not folder.complete for folder in closed)


def test_closed_folders_keep_their_budget_without_an_open_one() -> None:
    model = BrowserKeyTree(b":", leaf_cap=50, max_leaves=100)
    model.add(names("a", 80))
    model.add(names("b", 80))
    model.add(names("c", 10))
    c = model.folder(b"c")
    assert c is not None
    assert not c.leaves  # nobody opened c: nothing is evicted for it
    assert model.evict(10) >= 10
    assert model.leaf_count <= 90
