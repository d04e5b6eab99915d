"""Pure tests of the Redis key tree and the reversible key-name formatting."""

from __future__ import annotations

import pytest

from dbtui.core.keytree import (
    Folder,
    KeyTree,
    format_key,
    glob_escape,
    is_glob,
    iter_folders,
    parse_key,
    sorted_folders,
    sorted_leaves,
)


def _folder(tree: KeyTree, name: bytes) -> Folder:
    folder = tree.folder(name)
    assert folder is not None, name
    return folder


ROUND_TRIP = [
    b"",
    b"user:1:name",
    b"bin\xff\x00\x01",
    b"back\\slash",
    b"literal \\x41 text",
    "caf\u00e9:\u732b".encode(),
    b"tab\tnew\nline\x7f",
    "zero\u200bwidth".encode(),
    bytes(range(256)),
]


@pytest.mark.parametrize("key", ROUND_TRIP)
def test_format_parse_round_trip(key: bytes) -> None:
    text = format_key(key)
    assert parse_key(text) == key
    assert text.isprintable()


def test_format_escapes_only_what_is_not_printable_utf8() -> None:
    assert format_key(b"user:1") == "user:1"
    assert format_key("caf\u00e9".encode()) == "caf\u00e9"
    assert format_key(b"a\xffb\x00") == "a\\xffb\\x00"
    assert format_key(b"a\\b") == "a\\\\b"
    assert format_key(b"\n") == "\\x0a"


def test_parse_key_takes_unknown_escapes_literally() -> None:
    assert parse_key("a\\qb") == b"a\\qb"
    assert parse_key("\\x4") == b"\\x4"
    assert parse_key("\\x41\\\\") == b"A\\"


def test_glob_helpers() -> None:
    assert glob_escape(b"a*b?[c]\\") == b"a\\*b\\?\\[c\\]\\\\"
    assert glob_escape(b"plain") == b"plain"
    assert is_glob(b"user:*")
    assert is_glob(b"a[bc]")
    assert not is_glob(b"user:1")
    assert not is_glob(b"a\\*b")


def test_counts_per_folder_and_leaves() -> None:
    tree = KeyTree()
    assert tree.add([b"user:1:name", b"user:1:email", b"user:2:name", b"session:abc", b"top"]) == 5
    root = tree.root
    assert root.count == 5
    assert set(root.children) == {b"user", b"session"}
    assert set(root.leaves) == {b"top"}
    assert _folder(tree, b"user").count == 3
    assert _folder(tree, b"user:1").count == 2
    assert set(_folder(tree, b"user:1").leaves) == {b"user:1:name", b"user:1:email"}
    assert tree.folder(b"nope") is None


def test_scan_duplicates_are_not_counted_twice() -> None:
    tree = KeyTree()
    tree.add([b"a:1", b"a:2"])
    assert tree.add([b"a:1"]) == 0
    assert tree.root.count == 2


def test_incremental_batches_accumulate() -> None:
    tree = KeyTree()
    for i in range(10):
        tree.add([f"ns{i % 3}:{i}".encode()])
    assert tree.root.count == 10
    assert [f.count for f in sorted_folders(tree.root)] == [4, 3, 3]


def test_leaf_cap_marks_folder_incomplete_but_keeps_counting() -> None:
    tree = KeyTree(leaf_cap=3)
    tree.add([f"big:{i}".encode() for i in range(10)])
    big = tree.folder(b"big")
    assert big is not None
    assert big.count == 10
    assert len(big.leaves) == 3
    assert not big.complete
    assert tree.leaf_count == 3


def test_global_leaf_cap_bounds_memory() -> None:
    tree = KeyTree(leaf_cap=1000, max_leaves=50)
    tree.add([f"f{i % 10}:{i}".encode() for i in range(1000)])
    assert tree.leaf_count == 50
    assert tree.root.count == 1000


def test_folder_cap_counts_in_deepest_existing_folder() -> None:
    tree = KeyTree(max_folders=2)
    tree.add([b"a:1:x", b"a:2:x", b"a:3:x"])
    a = tree.folder(b"a")
    assert a is not None
    assert tree.folder_count == 2
    assert a.count == 3
    assert not a.complete
    assert tree.folder(b"a:3") is None


def test_many_distinct_prefixes_stay_bounded() -> None:
    tree = KeyTree(max_folders=1000, max_leaves=1000)
    for start in range(0, 200_000, 10_000):
        tree.add(f"user:{i}:profile".encode() for i in range(start, start + 10_000))
    assert tree.root.count == 200_000
    assert tree.folder_count <= 1000
    assert tree.leaf_count <= 1000
    assert sum(1 for _ in iter_folders(tree.root)) == tree.folder_count + 1


def test_expand_raises_cap_and_fill_does_not_recount() -> None:
    tree = KeyTree(leaf_cap=2)
    names = [f"q:{i}".encode() for i in range(5)]
    tree.add(names)
    folder = tree.expand(b"q")
    assert folder is not None
    assert tree.folder_pattern(folder) == b"q:*"
    tree.fill(names)
    assert set(folder.leaves) == set(names)
    assert folder.count == 5
    tree.collapse(b"q")
    assert len(folder.leaves) == 2


def test_record_sizes_and_sort_by_bytes() -> None:
    tree = KeyTree()
    tree.add([b"a:1", b"a:2", b"b:1"])
    tree.record_sizes({b"a:1": 100, b"a:2": 50, b"b:1": 500, b"unknown": 7})
    assert tree.root.bytes_total == 650
    assert _folder(tree, b"a").bytes_total == 150
    tree.record_sizes({b"a:1": 10})  # re-measured: replaces, not adds
    assert _folder(tree, b"a").bytes_total == 60
    assert _folder(tree, b"a").measured == 2
    assert [f.label for f in sorted_folders(tree.root, "bytes")] == [b"b", b"a"]
    assert sorted_leaves(_folder(tree, b"a"), "bytes") == [b"a:2", b"a:1"]


def test_remove_updates_counts_and_bytes() -> None:
    tree = KeyTree()
    tree.add([b"a:1", b"a:2"])
    tree.record_sizes({b"a:1": 40})
    assert tree.remove(b"a:1")
    assert not tree.remove(b"a:1")
    a = tree.folder(b"a")
    assert a is not None
    assert (a.count, a.bytes_total, a.measured) == (1, 0, 0)


def test_sorting_helpers() -> None:
    tree = KeyTree()
    tree.add([b"b:1", b"a:1", b"a:2", b"c:1", b"c:2", b"c:3"])
    assert [f.label for f in sorted_folders(tree.root)] == [b"a", b"b", b"c"]
    assert [f.label for f in sorted_folders(tree.root, reverse=True)] == [b"c", b"b", b"a"]
    assert [f.label for f in sorted_folders(tree.root, "count")] == [b"c", b"a", b"b"]
    with pytest.raises(ValueError, match="unknown"):
        sorted_folders(tree.root, "colour")


def test_flat_mode_and_binary_names() -> None:
    tree = KeyTree(delimiter=b"")
    tree.add([b"a:b", b"\xff:\x00"])
    assert tree.root.children == {}
    assert set(tree.root.leaves) == {b"a:b", b"\xff:\x00"}
    binary = KeyTree()
    binary.add([b"\xff\xfe:x"])
    folder = binary.folder(b"\xff\xfe")
    assert folder is not None
    assert format_key(folder.label) == "\\xff\\xfe"
    assert binary.folder_pattern(folder) == b"\xff\xfe:*"


def test_folder_pattern_escapes_glob_characters() -> None:
    tree = KeyTree()
    tree.add([b"a*b:1"])
    folder = tree.folder(b"a*b")
    assert folder is not None
    assert tree.folder_pattern(folder) == b"a\\*b:*"
    assert tree.folder_pattern(tree.root) == b"*"


def test_add_measured_sums_bytes_for_every_key_and_keeps_the_biggest() -> None:
    tree = KeyTree(leaf_cap=1, top_n=2)
    sizes = {b"a:1": 10, b"a:2": 30, b"a:3": 20, b"b:1": 5, b"b:2": None}
    assert tree.add_measured(sizes) == 5
    assert tree.add_measured({b"a:1": 10}) == 0  # kept name seen again: not recounted
    a = _folder(tree, b"a")
    assert (a.count, a.bytes_total, a.measured) == (3, 60, 3)
    assert len(a.leaves) == 1  # names capped, bytes still complete
    assert (tree.root.count, tree.root.bytes_total, tree.root.measured) == (5, 65, 4)
    assert tree.biggest() == [(b"a:2", 30), (b"a:3", 20)]
    tree.clear()
    assert tree.biggest() == []
