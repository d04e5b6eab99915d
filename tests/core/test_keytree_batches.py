"""KeyTree fed in big batches, deferred or not, against counts computed directly (issue #19)."""

from __future__ import annotations

import random
import threading
from collections import Counter

from dbtui.core.keytree import Folder, KeyTree, iter_folders
from dbtui.ui.key_browser.tree_model import ScanModels


def _keys(count: int) -> list[bytes]:
    keys = [f"app:{i % 7}:{i // 50}:{i}".encode() for i in range(count)]
    keys += [f"top{i}".encode() for i in range(count // 10)]  # no delimiter
    keys += [b"trail:", b"a::b", b"\xff:\x00"]
    random.Random(7).shuffle(keys)
    return keys


def _expected(keys: list[bytes]) -> Counter[bytes]:
    """Keys below every folder, counted the obvious way."""
    counts: Counter[bytes] = Counter()
    for key in set(keys):
        parts = key.split(b":")
        counts[b""] += 1
        for depth in range(1, len(parts)):
            counts[b":".join(parts[:depth])] += 1
    return counts


def _counts(tree: KeyTree) -> dict[bytes, int]:
    return {folder.name: folder.count for folder in iter_folders(tree.root)}


def _batches(keys: list[bytes], size: int) -> list[list[bytes]]:
    return [keys[start : start + size] for start in range(0, len(keys), size)]


def test_big_batches_count_every_folder_exactly() -> None:
    keys = _keys(20_000)
    tree = KeyTree(max_leaves=5_000, leaf_cap=30)
    for batch in _batches(keys, 1000):
        tree.add(batch)
    assert _counts(tree) == dict(_expected(keys))
    assert tree.leaf_count == 5_000  # the budget was spent, then keys were only counted
    assert sum(len(f.leaves) for f in iter_folders(tree.root)) == 5_000
    assert not tree.root.complete


def test_deferred_counts_wait_for_flush_and_then_match() -> None:
    keys = _keys(10_000)
    deferred = KeyTree(max_leaves=2_000)
    direct = KeyTree(max_leaves=2_000)
    for batch in _batches(keys, 700):
        deferred.add(batch, defer=True)
        direct.add(batch)
    assert deferred.root.count < direct.root.count  # nothing flushed yet
    deferred.flush()
    assert _counts(deferred) == _counts(direct) == dict(_expected(keys))
    flags = {f.name: f.complete for f in iter_folders(direct.root)}
    assert {f.name: f.complete for f in iter_folders(deferred.root)} == flags


def test_duplicates_of_kept_names_are_not_counted_once_the_budget_is_spent() -> None:
    tree = KeyTree(max_leaves=3)
    assert tree.add([b"a:1", b"a:2", b"b:1"]) == 3
    assert tree.add([b"a:1", b"c:1", b"b:1", b"a:3"]) == 2  # a:1 and b:1 were kept
    assert tree.root.count == 5
    folder = tree.folder(b"a")
    assert isinstance(folder, Folder)
    assert folder.count == 3
    assert not folder.complete
    b_folder = tree.folder(b"b")
    assert b_folder is not None
    assert b_folder.complete
    assert tree.remove(b"a:1")
    assert tree.add([b"a:1"]) == 1  # forgotten, so new again (and kept: the budget has room)
    assert b"a:1" in folder.leaves


def test_flat_model_counts_and_keeps_up_to_its_cap() -> None:
    tree = KeyTree(b"", expanded_leaf_cap=100)
    tree.expand(b"")
    keys = [f"k{i}".encode() for i in range(250)]
    assert tree.add(keys[:150]) == 150
    assert tree.add(keys[:10]) == 0  # kept names are duplicates
    assert tree.add(keys[150:]) == 100
    assert tree.root.count == 250
    assert len(tree.root.leaves) == 100
    assert not tree.root.complete


def test_a_worker_feeding_while_the_ui_reads_under_the_lock() -> None:
    models = ScanModels.new(b":")
    keys = _keys(30_000)
    done = threading.Event()

    def feed() -> None:
        for batch in _batches(keys, 500):
            models.feed(batch)
        models.flush()
        done.set()

    worker = threading.Thread(target=feed)
    worker.start()
    reads = 0
    while not done.is_set() or reads == 0:
        with models.lock:  # iterating while the worker inserted would raise RuntimeError
            total = sum(len(f.leaves) + len(f.children) for f in iter_folders(models.tree.root))
            assert total >= 0
        reads += 1
    worker.join()
    assert _counts(models.tree) == dict(_expected(keys))
    assert models.flat.root.count == len(set(keys))


def test_counting_only_keeps_a_leading_delimiter_apart_from_root_keys() -> None:
    tree = KeyTree(max_leaves=1)
    tree.add([b"kept"])
    assert tree.add([b":x", b"y", b":z", b"a:b"], defer=True) == 4
    assert tree.add([b"w", b"a:c"], defer=True) == 2  # grouped by parent alone
    tree.flush()
    assert tree.root.count == 7
    assert tree.root.children[b""].count == 2  # the folder with an empty name
    assert tree.root.children[b"a"].count == 2
    assert set(tree.root.leaves) == {b"kept"}
    assert not tree.root.complete
    assert not tree.root.children[b""].complete
