"""A bounded-memory tree of Redis key names grouped by a delimiter (pure, no I/O).

Key names are ``bytes`` end to end. :class:`KeyTree` is fed the names that a
SCAN returns, batch by batch, and keeps for every folder (a prefix ending just
before a delimiter) the number of keys below it and, once measured, their
total size. Memory stays bounded whatever the keyspace size:

* folders are created up to ``max_folders`` in total; a key whose folder
  cannot be created is counted in its deepest existing ancestor, which is then
  marked incomplete (``Folder.complete`` is False);
* leaf names are kept up to ``leaf_cap`` per folder and ``max_leaves`` in
  total; folders the user expanded (:meth:`KeyTree.expand`) keep up to
  ``expanded_leaf_cap``. A folder whose names were not all kept is incomplete:
  the UI lists it by scanning ``MATCH <folder_pattern(folder)>`` and feeding
  the result to :meth:`KeyTree.fill`, which stores names without counting.

Counts come from SCAN, which may return a key more than once while the server
resizes its hash table; a duplicate is ignored when its name is stored,
otherwise it is counted twice (the same guarantee redis-cli gives).

:func:`format_key` shows any key name as text, escaping what is not printable
UTF-8 as ``\\xNN``; :func:`parse_key` turns that text back into the exact bytes.
"""

from __future__ import annotations

import heapq
import re
from collections import _count_elements  # type: ignore[attr-defined]
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter, methodcaller

_PLAIN = re.compile(rb"[\x20-\x5b\x5d-\x7e]*")
_ESCAPE = re.compile(r"\\(\\|x[0-9a-fA-F]{2})")
_GLOB_SPECIAL = frozenset(b"*?[]\\")
_HEAD = itemgetter(0, 1)
_PARENT = itemgetter(0)
"""(parent, delimiter) of an ``rpartition``: the group of a key (the delimiter is b"" without one)."""


def format_key(key: bytes) -> str:
    """Render a key name as text that :func:`parse_key` turns back into the same bytes.

    Printable UTF-8 is kept as is; a backslash becomes ``\\\\``; every other
    byte (invalid UTF-8, control characters, non-printable code points) becomes
    ``\\xNN`` with two lower-case hex digits.
    """
    if _PLAIN.fullmatch(key):
        return key.decode("ascii")
    out: list[str] = []
    for char in key.decode("utf-8", errors="surrogateescape"):
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            out.append(char)
        else:
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8"))
    return "".join(out)


def parse_key(text: str) -> bytes:
    """Turn text shown by :func:`format_key` (or typed by the user) into key bytes.

    ``\\\\`` is one backslash and ``\\xNN`` one byte; any other backslash is
    taken literally; everything else is encoded as UTF-8.
    """
    out = bytearray()
    pos = 0
    for match in _ESCAPE.finditer(text):
        out += text[pos : match.start()].encode("utf-8", errors="surrogateescape")
        escape = match.group(1)
        out += b"\\" if escape == "\\" else bytes([int(escape[1:], 16)])
        pos = match.end()
    out += text[pos:].encode("utf-8", errors="surrogateescape")
    return bytes(out)


def glob_escape(text: bytes) -> bytes:
    """Escape ``*?[]\\`` so that ``text`` matches literally in a SCAN MATCH pattern."""
    if not any(byte in _GLOB_SPECIAL for byte in text):
        return text
    return b"".join(b"\\" + bytes([b]) if b in _GLOB_SPECIAL else bytes([b]) for b in text)


def is_glob(pattern: bytes) -> bool:
    """True when ``pattern`` has an unescaped glob character (``*``, ``?`` or ``[``)."""
    escaped = False
    for byte in pattern:
        if escaped:
            escaped = False
        elif byte == 0x5C:  # backslash
            escaped = True
        elif byte in b"*?[":
            return True
    return False


@dataclass(eq=False)
class Folder:
    """One prefix of the key tree.

    Attributes:
        name: Full prefix without the trailing delimiter (``b""`` for the root).
        label: Last segment of ``name`` (what the tree shows).
        count: Keys at any depth below this folder, as counted so far.
        bytes_total: Sum of the measured sizes (bytes) of keys below this folder.
        measured: How many keys below this folder contributed to ``bytes_total``.
        children: Sub-folders by label.
        leaves: Kept key names directly in this folder -> measured size in bytes
            (``None`` until measured).
        complete: False when some direct entries (sub-folders or key names)
            were not kept because of the memory caps.
    """

    name: bytes
    label: bytes
    count: int = 0
    bytes_total: int = 0
    measured: int = 0
    children: dict[bytes, Folder] = field(default_factory=dict)
    leaves: dict[bytes, int | None] = field(default_factory=dict)
    complete: bool = True


class KeyTree:
    """Key names grouped by ``delimiter`` into folders, updated batch by batch.

    An empty delimiter gives a flat list (every key a leaf of the root).
    Not thread-safe: feed it from the thread that owns it.
    """

    def __init__(
        self,
        delimiter: bytes = b":",
        *,
        max_folders: int = 100_000,
        leaf_cap: int = 1_000,
        expanded_leaf_cap: int = 100_000,
        max_leaves: int = 200_000,
        top_n: int = 100,
    ) -> None:
        self.delimiter = delimiter
        self.max_folders = max_folders
        self.leaf_cap = leaf_cap
        self.expanded_leaf_cap = expanded_leaf_cap
        self.max_leaves = max_leaves
        self.top_n = top_n
        self.root = Folder(b"", b"")
        self.folder_count = 0
        """Folders created so far (the root excluded)."""
        self.leaf_count = 0
        """Key names kept so far, over all folders."""
        self._expanded: set[bytes] = set()
        self._paths: dict[bytes, list[Folder]] = {}
        self._kept: set[bytes] = set()
        """Every kept name (of any folder), to spot SCAN duplicates without finding their folder."""
        self._pending: dict[tuple[bytes, bytes], int] = {}
        """New keys per (parent, delimiter) not yet added to the folders' counts (see :meth:`flush`)."""
        self._spilled: set[tuple[bytes, bytes]] = set()
        self._overflow: dict[bytes, int] = {}
        """New keys per parent, none kept, not yet added to the folders' counts."""
        """Pending groups with keys that were not kept (their folder becomes incomplete)."""
        self._holders: dict[tuple[bytes, bytes], Folder] = {}
        """Folder holding the names of each (parent, delimiter) group, once it exists."""
        self._biggest: list[tuple[int, bytes]] = []

    def _segments(self, key: bytes) -> list[bytes]:
        if not self.delimiter:
            return [key]
        return key.split(self.delimiter)

    def _walk(self, parts: list[bytes], create: bool) -> list[Folder]:
        """Folders from the root down to the one holding the leaf ``parts[-1]``.

        With ``create`` missing folders are made while the cap allows; the
        returned path then stops at the deepest folder that exists.
        """
        path = [self.root]
        node = self.root
        for depth, label in enumerate(parts[:-1]):
            child = node.children.get(label)
            if child is None:
                if not create:
                    break
                if self.folder_count >= self.max_folders:
                    node.complete = False
                    break
                name = self.delimiter.join(parts[: depth + 1])
                child = node.children[label] = Folder(name, label)
                self.folder_count += 1
            path.append(child)
            node = child
        return path

    def _can_keep(self, folder: Folder) -> bool:
        cap = self.expanded_leaf_cap if folder.name in self._expanded else self.leaf_cap
        return len(folder.leaves) < cap and self.leaf_count < self.max_leaves

    def _path(self, key: bytes) -> tuple[list[Folder], bool]:
        """Folders from the root to the one holding ``key``, and whether that is its parent."""
        if not self.delimiter:
            return [self.root], True
        parent, sep, _ = key.rpartition(self.delimiter)
        return self._prefix_path(parent + sep)

    def _prefix_path(self, prefix: bytes) -> tuple[list[Folder], bool]:
        """Like :meth:`_path` for every key whose name up to its last delimiter is ``prefix``.

        ``prefix`` ends with the delimiter, or is ``b""`` for keys without one.
        Complete paths are cached by prefix (at most one entry per folder).
        """
        path = self._paths.get(prefix)
        if path is not None:
            return path, True
        if not prefix:
            return [self.root], True
        parts = prefix[: -len(self.delimiter)].split(self.delimiter)
        parts.append(b"")
        path = self._walk(parts, create=True)
        if len(path) == len(parts):
            self._paths[prefix] = path
            return path, True
        return path, False

    def add(self, keys: Iterable[bytes], *, defer: bool = False) -> int:
        """Count a batch of scanned key names; returns how many were new.

        A name already kept is not counted again (SCAN duplicates). With
        ``defer`` the folders' counts are only raised by the next
        :meth:`flush` (or the next ``add`` without ``defer``): a scan feeding
        many batches then pays for each folder once per flush instead of once
        per key. Once no folder may keep more names (the ``max_leaves``
        budget is spent) a batch is counted at C speed (``Counter`` over
        ``rpartition``) without looking at its keys one by one.
        """
        batch = keys if isinstance(keys, list) else list(keys)
        if not self.delimiter:
            return self._add_flat(batch)
        rpartition = methodcaller("rpartition", self.delimiter)
        if self.leaf_count < self.max_leaves:
            added = self._add_each(batch, list(map(_HEAD, map(rpartition, batch))))
        else:
            added = self._count_only(batch, rpartition)
        if not defer:
            self.flush()
        return added

    def _count_only(self, batch: list[bytes], rpartition: methodcaller) -> int:
        """Count a batch when no folder may keep more names (no key is looked at in Python).

        Keys are grouped by parent alone, the cheapest grouping, unless one
        starts with the delimiter (its parent ``b""`` would then be ambiguous
        with the root's keys): such a batch is grouped by (parent, delimiter).
        """
        kept = self._kept
        dups = list(filter(kept.__contains__, batch)) if kept else []
        if any(map(methodcaller("startswith", self.delimiter), batch)):
            heads = list(map(_HEAD, map(rpartition, batch)))
            _count_elements(self._pending, heads)
            self._spilled.update(heads)
            for key in dups:
                self._pending[_HEAD(rpartition(key))] -= 1
        else:
            _count_elements(self._overflow, map(_PARENT, map(rpartition, batch)))
            for key in dups:
                self._overflow[rpartition(key)[0]] -= 1
        return len(batch) - len(dups)

    def _add_each(self, batch: list[bytes], heads: list[tuple[bytes, bytes]]) -> int:
        """Keep (while the caps allow) and count into the pending counts, key by key."""
        kept, pending, spilled = self._kept, self._pending, self._spilled
        holders = self._holders
        expanded = self._expanded
        leaf_cap, expanded_cap = self.leaf_cap, self.expanded_leaf_cap
        budget = self.max_leaves - self.leaf_count
        _count_elements(pending, heads)
        dups = 0
        for key, head in zip(batch, heads, strict=True):
            if key in kept:
                pending[head] -= 1
                dups += 1
                continue
            holder = holders.get(head)
            if holder is None:
                path, full = self._prefix_path(head[0] + head[1])
                if not full:
                    spilled.add(head)
                    continue
                holder = holders[head] = path[-1]
            leaves = holder.leaves
            cap = expanded_cap if expanded and holder.name in expanded else leaf_cap
            if budget > 0 and len(leaves) < cap:
                leaves[key] = None
                kept.add(key)
                budget -= 1
            else:
                spilled.add(head)
        self.leaf_count = self.max_leaves - budget
        return len(batch) - dups

    def flush(self) -> None:
        """Add the counts of deferred batches (see :meth:`add`) to their folders."""
        pending, spilled = self._pending, self._spilled
        for head, new in pending.items():
            if new <= 0:
                continue
            path, _ = self._prefix_path(head[0] + head[1])
            if head in spilled:
                path[-1].complete = False
            for folder in path:
                folder.count += new
        pending.clear()
        spilled.clear()
        delimiter = self.delimiter
        for parent, new in self._overflow.items():
            if new > 0:
                path, _ = self._prefix_path(parent + delimiter if parent else b"")
                path[-1].complete = False
                for folder in path:
                    folder.count += new
        self._overflow.clear()

    def _add_flat(self, keys: list[bytes]) -> int:
        """:meth:`add` without a delimiter: every key is a name of the root."""
        root = self.root
        leaves = root.leaves
        cap = self.expanded_leaf_cap if b"" in self._expanded else self.leaf_cap
        room = min(cap - len(leaves), self.max_leaves - self.leaf_count)
        if room <= 0:  # counting only: the common case on a big keyspace
            new = len(keys) - sum(map(leaves.__contains__, keys)) if leaves else len(keys)
        else:
            new = kept = 0
            for key in keys:
                if key in leaves:
                    continue
                new += 1
                if kept < room:
                    leaves[key] = None
                    self._kept.add(key)
                    kept += 1
            self.leaf_count += kept
        if new > max(room, 0):
            root.complete = False
        root.count += new
        return new

    def add_measured(self, sizes: Mapping[bytes, int | None]) -> int:
        """Like :meth:`add`, with each key's size (bytes) added to every folder above it.

        For a memory analysis pass: feed a tree either only through this
        method or only through :meth:`add` (plus :meth:`record_sizes`), never
        both, or keys that were not kept are counted twice. Also keeps the
        ``top_n`` biggest keys (see :meth:`biggest`).
        """
        added = 0
        heap = self._biggest
        for key, size in sizes.items():
            if not self.add([key]):
                continue
            added += 1
            if size is None:
                continue
            path, full = self._path(key)
            if full and key in path[-1].leaves:
                path[-1].leaves[key] = size
            for folder in path:
                folder.bytes_total += size
                folder.measured += 1
            if len(heap) < self.top_n:
                heapq.heappush(heap, (size, key))
            elif size > heap[0][0]:
                heapq.heapreplace(heap, (size, key))
        return added

    def biggest(self) -> list[tuple[bytes, int]]:
        """The biggest keys fed to :meth:`add_measured`, biggest first: (name, bytes)."""
        return [(key, size) for size, key in sorted(self._biggest, reverse=True)]

    def fill(self, keys: Iterable[bytes]) -> None:
        """Keep names found by a scan scoped to an expanded folder, without counting them."""
        for key in keys:
            parts = self._segments(key)
            path = self._walk(parts, create=False)
            holder = path[-1]
            if len(path) == len(parts) and key not in holder.leaves and self._can_keep(holder):
                holder.leaves[key] = None
                self._kept.add(key)
                self.leaf_count += 1

    def expand(self, name: bytes) -> Folder | None:
        """Mark a folder as expanded (raises its leaf cap); returns it, or None if unknown."""
        folder = self.folder(name)
        if folder is not None:
            self._expanded.add(name)
        return folder

    def collapse(self, name: bytes) -> None:
        """Undo :meth:`expand`; kept names are dropped down to the normal cap."""
        self._expanded.discard(name)
        folder = self.folder(name)
        if folder is None or len(folder.leaves) <= self.leaf_cap:
            return
        names = sorted(folder.leaves)
        for key in names[self.leaf_cap :]:
            self._drop_leaf(folder, key)
        folder.complete = False

    def _drop_leaf(self, folder: Folder, key: bytes) -> None:
        size = folder.leaves.pop(key)
        self._kept.discard(key)
        self.leaf_count -= 1
        if size is not None:
            for ancestor in self._walk(self._segments(key), create=False):
                ancestor.bytes_total -= size
                ancestor.measured -= 1

    def folder(self, name: bytes) -> Folder | None:
        """The folder whose full prefix is ``name`` (``b""`` is the root)."""
        if not name:
            return self.root
        node = self.root
        for label in self._segments(name):
            found = node.children.get(label)
            if found is None:
                return None
            node = found
        return node

    def folder_pattern(self, folder: Folder) -> bytes:
        """SCAN MATCH pattern for every key below ``folder`` (glob characters escaped)."""
        if folder is self.root or not self.delimiter:
            return b"*"
        return glob_escape(folder.name + self.delimiter) + b"*"

    def record_sizes(self, sizes: Mapping[bytes, int | None]) -> None:
        """Add measured sizes (bytes) of kept keys to their folders; unknown keys are ignored.

        A key is measured once; a new size for it replaces the old one.
        """
        for key, size in sizes.items():
            if size is None:
                continue
            path = self._walk(self._segments(key), create=False)
            leaves = path[-1].leaves
            if key not in leaves:
                continue
            old = leaves[key]
            leaves[key] = size
            for folder in path:
                folder.bytes_total += size - (old or 0)
                folder.measured += int(old is None)

    def remove(self, key: bytes) -> bool:
        """Forget a deleted key; True when it was kept (counts then go down by one)."""
        parts = self._segments(key)
        path = self._walk(parts, create=False)
        holder = path[-1]
        if len(path) != len(parts) or key not in holder.leaves:
            return False
        self._drop_leaf(holder, key)
        for folder in path:
            folder.count -= 1
        return True

    def clear(self) -> None:
        """Forget everything (a new scan starts)."""
        self.root = Folder(b"", b"")
        self.folder_count = 0
        self.leaf_count = 0
        self._expanded.clear()
        self._paths.clear()
        self._kept.clear()
        self._pending.clear()
        self._spilled.clear()
        self._overflow.clear()
        self._holders.clear()
        self._biggest.clear()


FOLDER_SORTS = ("name", "count", "bytes")
LEAF_SORTS = ("name", "bytes")


def sorted_folders(folder: Folder, by: str = "name", *, reverse: bool = False) -> list[Folder]:
    """Sub-folders of ``folder`` ordered by ``by`` (one of :data:`FOLDER_SORTS`).

    Ties (and ``by="name"``) are ordered by label bytes.
    """
    children = sorted(folder.children.values(), key=lambda f: f.label)
    if by == "count":
        children.sort(key=lambda f: f.count, reverse=not reverse)
    elif by == "bytes":
        children.sort(key=lambda f: f.bytes_total, reverse=not reverse)
    elif by != "name":
        raise ValueError(f"unknown folder sort {by!r}")
    elif reverse:
        children.reverse()
    return children


def sorted_leaves(folder: Folder, by: str = "name", *, reverse: bool = False) -> list[bytes]:
    """Kept key names of ``folder`` ordered by ``by`` (one of :data:`LEAF_SORTS`).

    By bytes, the biggest come first (unmeasured last); ``reverse`` flips the order.
    """
    names = sorted(folder.leaves)
    if by == "bytes":
        sizes = folder.leaves

        def size_of(key: bytes) -> int:
            size = sizes[key]
            return -1 if size is None else size

        names.sort(key=size_of, reverse=not reverse)
    elif by != "name":
        raise ValueError(f"unknown leaf sort {by!r}")
    elif reverse:
        names.reverse()
    return names


def iter_folders(folder: Folder) -> Iterator[Folder]:
    """Every folder below ``folder`` (depth first, itself first)."""
    stack = [folder]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children.values())
