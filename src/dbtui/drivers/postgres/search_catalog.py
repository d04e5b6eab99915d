"""Vector and text-search facts for catalog nodes (pure functions of one catalog row).

:mod:`.catalog` passes column and index nodes through :func:`column_extras` and
:func:`index_extras`:

* ``vector(128)``, ``halfvec(…)``, ``sparsevec(…)`` columns get their dimension and what
  kind of vector they hold; ``tsvector`` columns are marked as full-text documents;
* HNSW and IVFFlat indexes get their operator class and distance, ``m`` and
  ``ef_construction`` or ``lists`` (pgvector's defaults when not set), in the detail line
  and the facts; GIN/GiST indexes get ``full text`` (tsvector) or ``trigram`` (pg_trgm)
  and their operator class.
"""

from __future__ import annotations

from dataclasses import replace

from dbtui.core.advisor.vector import (
    HNSW_DEFAULTS,
    IVFFLAT_DEFAULTS,
    dimensions,
    operator_name,
    operator_of,
    vector_type,
)
from dbtui.core.catalog import CatalogNode
from dbtui.drivers.postgres.nodes import Row, human_size

_VECTOR_KINDS = {
    "vector": "dense vector, 4-byte floats",
    "halfvec": "dense vector, 2-byte floats",
    "sparsevec": "sparse vector",
}
_TRGM = frozenset({"gin_trgm_ops", "gist_trgm_ops"})
_FULL_TEXT = frozenset({"tsvector_ops"})


def column_extras(node: CatalogNode, row: Row) -> CatalogNode:
    """``node`` with vector / tsvector facts added (unchanged for other types)."""
    type_name = str(row.get("type") or "")
    base = vector_type(type_name)
    if base is not None:
        dims = dimensions(type_name)
        facts = [("Vector", _VECTOR_KINDS[base])]
        facts.append(("Dimensions", str(dims) if dims is not None else "not declared"))
        return replace(node, meta=(*node.meta, *facts))
    if type_name == "tsvector":
        return replace(node, meta=(*node.meta, ("Search", "full-text document (tsvector)")))
    return node


def index_extras(node: CatalogNode, row: Row) -> CatalogNode:
    """``node`` with operator class, pgvector parameters or search kind added."""
    method = str(row.get("amname") or "")
    opclasses = [str(o) for o in row.get("opclasses") or ()]
    options = dict(str(o).split("=", 1) for o in row.get("reloptions") or () if "=" in str(o))
    first = opclasses[0] if opclasses else ""
    if method in ("hnsw", "ivfflat"):
        defaults = HNSW_DEFAULTS if method == "hnsw" else IVFFLAT_DEFAULTS
        params = {name: options.get(name, str(value)) for name, value in defaults.items()}
        operator = operator_of(first)
        facts = [("Operator class", first)]
        if operator is not None:
            facts.append(("Serves", f"ORDER BY … {operator} … ({operator_name(operator)})"))
        facts += list(params.items())
        shown = " ".join(f"{name}={value}" for name, value in params.items())
        detail = _detail(node.detail, row, f"{method} {first} {shown}")
        return replace(node, detail=detail, meta=(*node.meta, *facts))
    search = (
        "trigram (pg_trgm)"
        if any(o in _TRGM for o in opclasses)
        else "full text"
        if any(o in _FULL_TEXT for o in opclasses) or "to_tsvector" in str(row.get("definition"))
        else None
    )
    if search is not None and method in ("gin", "gist"):
        detail = _detail(node.detail, row, f"{method} {search}")
        facts = [("Search", search), ("Operator class", ", ".join(opclasses))]
        return replace(node, detail=detail, meta=(*node.meta, *facts))
    return node


def _detail(old: str, row: Row, method_text: str) -> str:
    """The index detail line with ``method_text`` in place of the bare method name."""
    method = str(row.get("amname") or "")
    words = old.split(" ")
    if method in words:
        words[words.index(method)] = method_text
        return " ".join(words)
    return f"{method_text} {human_size(row.get('size'))}".strip()
