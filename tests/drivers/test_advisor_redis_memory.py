"""Redis memory advice from a key scan (pure)."""

from __future__ import annotations

import os

from dbtui.core.advice import HealthKind
from dbtui.core.keytree import KeyTree
from dbtui.drivers.redis.memory_advice import (
    KeySample,
    biggest_keys,
    biggest_namespaces,
    compressible,
    memory_findings,
    missing_ttls,
    namespace,
    past_compact_limits,
)


def measured_tree() -> KeyTree:
    tree = KeyTree(b":")
    tree.add_measured({b"user:1": 100, b"user:2": 300, b"cache:big": 50_000_000, b"solo": 7})
    return tree


def test_biggest_keys_and_namespaces() -> None:
    tree = measured_tree()
    keys = biggest_keys(tree, top=2)
    assert [f.subject for f in keys] == ["cache:big", "user:2"]
    assert keys[0].kind is HealthKind.BIG_KEY
    spaces = biggest_namespaces(tree)
    assert [f.target for f in spaces] == ["cache:*", "user:*"]
    assert dict(spaces[1].facts)["keys"] == "2"


def test_keys_without_ttl_among_expiring_ones() -> None:
    samples = [KeySample(f"sess:{i}".encode(), "string", 60_000, memory=10) for i in range(11)]
    samples.append(KeySample(b"sess:forgotten", "string", None, memory=500))
    samples += [KeySample(f"conf:{i}".encode(), "string", None) for i in range(12)]
    (finding,) = missing_ttls(samples, b":")
    assert finding.target == "sess:*"
    assert finding.ddl == "EXPIRE sess:forgotten 60"
    assert finding.frees_bytes == 500
    few = [KeySample(f"a:{i}".encode(), "string", 1000) for i in range(5)]
    assert missing_ttls([*few, KeySample(b"a:x", "string", None)], b":") == []
    assert namespace(b"a:b:c", b":") == b"a:b"
    assert namespace(b"abc", b":") == b""


def test_collections_just_past_the_compact_limits() -> None:
    config = {"hash-max-listpack-entries": "128", "set-max-intset-entries": "512"}
    samples = [
        KeySample(b"h1", "hash", None, length=200, encoding="hashtable"),
        KeySample(b"h2", "hash", None, length=250),
        KeySample(b"h3", "hash", None, length=100, encoding="listpack"),
        KeySample(b"h4", "hash", None, length=10_000, encoding="hashtable"),  # far past
        KeySample(b"s1", "set", None, length=600, encoding="intset"),  # already compact
    ]
    (finding,) = past_compact_limits(samples, config)
    assert finding.subject == "hash-max-listpack-entries"
    assert finding.ddl == "CONFIG SET hash-max-listpack-entries 250"
    assert dict(finding.facts)["keys"] == "2"
    legacy = past_compact_limits(samples, {"hash-max-ziplist-entries": "128"})
    assert legacy[0].subject == "hash-max-ziplist-entries"


def test_compressible_strings() -> None:
    text = b"lorem ipsum dolor sit amet " * 400
    noise = os.urandom(8000)
    samples = [
        KeySample(b"doc", "string", None, length=len(text), head=text),
        KeySample(b"blob", "string", None, length=len(noise), head=noise),
        KeySample(b"tiny", "string", None, length=20, head=b"aaaaaaaaaaaaaaaaaaaa"),
    ]
    (finding,) = compressible(samples)
    assert finding.subject == "doc"
    assert finding.frees_bytes is not None
    assert finding.frees_bytes > len(text) // 2


def test_memory_findings_gathers_every_kind() -> None:
    kinds = {f.kind for f in memory_findings(measured_tree(), [], {})}
    assert kinds == {HealthKind.BIG_KEY, HealthKind.BIG_NAMESPACE}
