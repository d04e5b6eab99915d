"""Memory analysis of a whole keyspace: what ``redis-cli --memkeys`` prints, plus advice.

One background pass: SCAN every key, ``MEMORY USAGE`` for each batch in one
pipeline, sizes rolled up per namespace; the first few thousand keys are also
sampled for TTL, length and (for big strings) their first bytes. The findings
come from :mod:`dbtui.drivers.redis.memory_advice`. Read-only commands only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from dbtui.core.advice import HealthFinding
from dbtui.core.keytree import KeyTree
from dbtui.drivers.redis import raw
from dbtui.drivers.redis.connection import Keyspace
from dbtui.drivers.redis.memory_advice import KeySample, memory_findings
from dbtui.drivers.redis.meta import key_info, memory_usage
from dbtui.drivers.redis.scanner import KeyScanner
from dbtui.drivers.redis.values import read_string

#: Keys sampled for TTL, length and encoding checks.
SAMPLE_SIZE = 5_000
#: Strings at least this long get their first bytes read for the compression check.
BIG_STRING = 1_024
HEAD_BYTES = 256
#: Config parameters of the compact encodings (old and new names).
CONFIG_PATTERN = b"*-max-*-entries"


def compact_limits(keyspace: Keyspace) -> dict[str, str]:
    """``*-max-*-entries`` settings of the first node (empty when CONFIG is refused)."""
    try:
        reply = raw.call(keyspace.nodes()[0].client, b"CONFIG", b"GET", CONFIG_PATTERN)
    except Exception:
        return {}
    if not isinstance(reply, list):
        return {}
    items = [item.decode() if isinstance(item, bytes) else str(item) for item in reply]
    return dict(zip(items[::2], items[1::2], strict=False))


def _samples(keyspace: Keyspace, keys: list[bytes]) -> list[KeySample]:
    samples = []
    for info in key_info(keyspace, keys):
        head = None
        if info.type == "string" and (info.length or 0) >= BIG_STRING:
            head = read_string(keyspace, info.key, 0, HEAD_BYTES).data
        samples.append(
            KeySample(info.key, info.type, info.ttl_ms, info.memory, info.length, None, head)
        )
    return samples


def analyse_memory(
    keyspace: Keyspace,
    delimiter: bytes = b":",
    *,
    cancelled: threading.Event | None = None,
    progress: Callable[[float, int], object] | None = None,
) -> list[HealthFinding]:
    """Scan and measure every key, then return the memory findings (biggest first).

    ``progress(fraction, keys_seen)`` is called after each batch; setting
    ``cancelled`` stops the pass and returns what was found so far.
    """
    tree = KeyTree(delimiter)
    samples: list[KeySample] = []
    for batch in KeyScanner(keyspace).scan_batches(cancelled=cancelled):
        keys = list(batch.keys)
        if keys:
            tree.add_measured(memory_usage(keyspace, keys))
            if len(samples) < SAMPLE_SIZE:
                samples.extend(_samples(keyspace, keys[: SAMPLE_SIZE - len(samples)]))
        if progress is not None:
            progress(batch.progress, batch.keys_seen)
        if cancelled is not None and cancelled.is_set():
            break
    return memory_findings(tree, samples, compact_limits(keyspace))
