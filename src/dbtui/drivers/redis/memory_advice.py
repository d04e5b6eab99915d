"""Redis memory advice from a completed key scan. No I/O.

Inputs are what the browser's memory pass already gathers: a measured
:class:`~dbtui.core.keytree.KeyTree` (bytes per key and per namespace) and
per-key samples (type, TTL, length, and, when known, the encoding and the first
bytes of a string value), plus the server's ``CONFIG GET`` thresholds.
Findings, as :class:`~dbtui.core.advice.HealthFinding` with ``engine="redis"``:

* the biggest keys and namespaces by bytes;
* keys without a TTL in a namespace where at least :data:`TTL_SHARE` of the
  sampled keys have one (often a forgotten ``EXPIRE``);
* hashes, sorted sets and sets just past the listpack/intset limits (up to
  :data:`NEAR_FACTOR` times the limit), whose memory roughly halves or better in
  the compact encoding: raising the limit is a ``CONFIG SET`` away;
* big string values whose sample compresses to under half (zlib).
"""

from __future__ import annotations

import statistics
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dbtui.core.advice import HealthFinding, HealthKind
from dbtui.core.advisor.evidence import size_text
from dbtui.core.keytree import KeyTree, format_key, iter_folders
from dbtui.core.plan import Severity

ENGINE = "redis"
TOP = 10
"""Biggest keys and namespaces reported."""
TTL_SHARE = 0.8
TTL_MIN_SAMPLES = 10
NEAR_FACTOR = 2.0
COMPRESSIBLE_MIN_BYTES = 4096
COMPRESSIBLE_RATIO = 0.5
_COMPACT = (
    ("hash", ("hash-max-listpack-entries", "hash-max-ziplist-entries"), ("listpack", "ziplist")),
    ("zset", ("zset-max-listpack-entries", "zset-max-ziplist-entries"), ("listpack", "ziplist")),
    ("set", ("set-max-intset-entries",), ("intset", "listpack")),
)
"""(type, config parameters newest first, compact encodings)."""


@dataclass(frozen=True)
class KeySample:
    """What is known about one sampled key.

    Attributes:
        key: The key name.
        type: TYPE reply ("string", "hash"...).
        ttl_ms: Milliseconds to expiry; ``None`` when it never expires.
        memory: MEMORY USAGE in bytes, if measured.
        length: String bytes or collection elements, if known.
        encoding: OBJECT ENCODING, if known ("listpack", "hashtable"...).
        head: The first bytes of a string value, if read (for the compression test).
    """

    key: bytes
    type: str
    ttl_ms: int | None
    memory: int | None = None
    length: int | None = None
    encoding: str | None = None
    head: bytes | None = None


def memory_findings(
    tree: KeyTree, samples: Sequence[KeySample], config: Mapping[str, str]
) -> list[HealthFinding]:
    """Every memory finding, biggest savings first within each kind."""
    return [
        *biggest_keys(tree),
        *biggest_namespaces(tree),
        *missing_ttls(samples, tree.delimiter),
        *past_compact_limits(samples, config),
        *compressible(samples),
    ]


def _severity(size: int) -> Severity:
    if size >= 100 * 1024**2:
        return Severity.HIGH
    return Severity.MEDIUM if size >= 10 * 1024**2 else Severity.LOW


def biggest_keys(tree: KeyTree, top: int = TOP) -> list[HealthFinding]:
    """The ``top`` biggest measured keys."""
    return [
        HealthFinding(
            engine=ENGINE,
            kind=HealthKind.BIG_KEY,
            target=format_key(key),
            subject=format_key(key),
            detail=f"{format_key(key)} uses {size_text(size)}. Big keys block the server "
            "while they are read, written, expired or deleted; consider splitting it.",
            severity=_severity(size),
            facts=(("memory", size_text(size)),),
        )
        for key, size in tree.biggest()[:top]
    ]


def biggest_namespaces(tree: KeyTree, top: int = TOP) -> list[HealthFinding]:
    """The ``top`` namespaces (folders) holding the most measured bytes."""
    folders = [f for f in iter_folders(tree.root) if f.name and f.bytes_total > 0]
    folders.sort(key=lambda f: f.bytes_total, reverse=True)
    found = []
    for folder in folders[:top]:
        name = format_key(folder.name + tree.delimiter) + "*"
        found.append(
            HealthFinding(
                engine=ENGINE,
                kind=HealthKind.BIG_NAMESPACE,
                target=name,
                subject=name,
                detail=f"{name} holds {folder.count:,} keys using {size_text(folder.bytes_total)}"
                f" ({folder.measured:,} measured).",
                severity=_severity(folder.bytes_total),
                facts=(("keys", f"{folder.count:,}"), ("memory", size_text(folder.bytes_total))),
            )
        )
    return found


def namespace(key: bytes, delimiter: bytes) -> bytes:
    """The key's folder: everything before the last delimiter (``b""`` at the top)."""
    if not delimiter or delimiter not in key:
        return b""
    return key.rsplit(delimiter, 1)[0]


def missing_ttls(samples: Iterable[KeySample], delimiter: bytes) -> list[HealthFinding]:
    """Namespaces where most sampled keys expire but some do not."""
    groups: dict[bytes, list[KeySample]] = {}
    for sample in samples:
        groups.setdefault(namespace(sample.key, delimiter), []).append(sample)
    found = []
    for name, group in groups.items():
        expiring = [s.ttl_ms for s in group if s.ttl_ms is not None]
        missing = [s for s in group if s.ttl_ms is None]
        if len(group) < TTL_MIN_SAMPLES or not missing or len(expiring) < TTL_SHARE * len(group):
            continue
        typical = max(int(statistics.median(expiring) // 1000), 1)
        first = format_key(missing[0].key)
        pattern = format_key(name + delimiter) + "*" if name else "(top level)"
        found.append(
            HealthFinding(
                engine=ENGINE,
                kind=HealthKind.MISSING_TTL,
                target=pattern,
                subject=first,
                detail=f"{len(missing)} of {len(group)} sampled keys of {pattern} never expire, "
                f"while the others do (typically in {typical:,} s); e.g. {first}.",
                ddl=f"EXPIRE {first} {typical}",
                severity=Severity.LOW,
                frees_bytes=sum(s.memory or 0 for s in missing) or None,
                facts=(("without TTL", str(len(missing))), ("sampled", str(len(group)))),
            )
        )
    return found


def past_compact_limits(
    samples: Iterable[KeySample], config: Mapping[str, str]
) -> list[HealthFinding]:
    """Collections a little over their compact-encoding limit, one finding per setting."""
    found = []
    for kind, parameters, compact in _COMPACT:
        parameter = next((p for p in parameters if str(config.get(p, "")).isdigit()), None)
        if parameter is None:
            continue
        limit = int(config[parameter])
        near = [
            s for s in samples
            if s.type == kind and s.length is not None and limit < s.length <= limit * NEAR_FACTOR
            and (s.encoding is None or s.encoding not in compact)
        ]  # fmt: skip
        if not near:
            continue
        wanted = max(s.length or 0 for s in near)
        found.append(
            HealthFinding(
                engine=ENGINE,
                kind=HealthKind.PAST_COMPACT_LIMIT,
                target=f"{kind} keys",
                subject=parameter,
                detail=f"{len(near)} sampled {kind} keys have {limit + 1:,} to {wanted:,} "
                f"elements, just over {parameter} = {limit}, so they use the big encoding. "
                "Raising the limit makes them compact (slower for very large values).",
                ddl=f"CONFIG SET {parameter} {wanted}",
                severity=Severity.LOW,
                facts=(("keys", str(len(near))), (parameter, str(limit))),
            )
        )
    return found


def compressible(samples: Iterable[KeySample]) -> list[HealthFinding]:
    """Big strings whose sampled head compresses to under :data:`COMPRESSIBLE_RATIO`."""
    found = []
    for sample in samples:
        size = sample.length or sample.memory or 0
        if sample.type != "string" or size < COMPRESSIBLE_MIN_BYTES or not sample.head:
            continue
        ratio = len(zlib.compress(sample.head)) / len(sample.head)
        if ratio >= COMPRESSIBLE_RATIO:
            continue
        name = format_key(sample.key)
        found.append(
            HealthFinding(
                engine=ENGINE,
                kind=HealthKind.COMPRESSIBLE,
                target=name,
                subject=name,
                detail=f"{name} holds {size_text(size)} that compresses to about "
                f"{ratio:.0%} (zlib, on its first {len(sample.head):,} bytes); compressing "
                "it in the application would save memory and bandwidth.",
                severity=Severity.LOW,
                frees_bytes=int(size * (1 - ratio)),
                facts=(("size", size_text(size)), ("compressed", f"{ratio:.0%}")),
            )
        )
    return found
