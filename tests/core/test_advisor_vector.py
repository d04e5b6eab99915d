"""Engine-neutral pgvector advice: operator classes, recall@k, the report, cell previews."""

from __future__ import annotations

import pytest

from dbtui.core.advisor.vector import (
    RecallPoint,
    RecallReport,
    dimensions,
    ivfflat_lists,
    opclass_for,
    operator_of,
    recall_at_k,
    steps_for,
    vector_type,
    with_clause,
)
from dbtui.core.values import cell_text, format_value, vector_preview


@pytest.mark.parametrize(
    ("type_base", "operator", "method", "opclass"),
    [
        ("vector", "<->", "hnsw", "vector_l2_ops"),
        ("vector", "<=>", "hnsw", "vector_cosine_ops"),
        ("vector", "<#>", "ivfflat", "vector_ip_ops"),
        ("halfvec", "<=>", "ivfflat", "halfvec_cosine_ops"),
        ("sparsevec", "<->", "hnsw", "sparsevec_l2_ops"),
        ("vector", "<+>", "hnsw", "vector_l1_ops"),
        ("vector", "<+>", "ivfflat", None),
        ("sparsevec", "<->", "ivfflat", None),
        ("text", "<->", "hnsw", None),
        ("vector", "=", "hnsw", None),
    ],
)
def test_operator_class_follows_the_operator(
    type_base: str, operator: str, method: str, opclass: str | None
) -> None:
    assert opclass_for(type_base, operator, method) == opclass
    if opclass is not None:
        assert operator_of(opclass) == operator


def test_types_dimensions_lists_and_options() -> None:
    assert vector_type("vector(128)") == "vector"
    assert vector_type("halfvec") == "halfvec"
    assert vector_type("tsvector") is None
    assert dimensions("vector(128)") == 128
    assert dimensions("vector") is None
    assert operator_of("gin_trgm_ops") is None
    assert ivfflat_lists(100_000) == 100
    assert ivfflat_lists(500) == 1
    assert ivfflat_lists(4_000_000) == 2000
    assert with_clause({"m": 16, "ef_construction": 64}) == " WITH (m = 16, ef_construction = 64)"
    assert with_clause({}) == ""
    assert steps_for("ivfflat")[0] == "ivfflat.probes"
    assert steps_for("hnsw", [5]) == ("hnsw.ef_search", (5,))


def test_recall_at_k() -> None:
    assert recall_at_k({1, 2, 3, 4}, {2, 4, 9, 10}) == 0.5
    assert recall_at_k(set(), {1}) == 1.0
    assert recall_at_k({1, 2}, set()) == 0.0


def test_report_lines_say_recall_speed_and_what_was_built() -> None:
    report = RecallReport(
        index="CREATE INDEX dbtui_recall_check ...",
        method="hnsw",
        setting="hnsw.ef_search",
        k=10,
        samples=20,
        exact_ms=100.0,
        points=(RecallPoint(10, 0.5, 5.0, 10.0), RecallPoint(100, 0.96, 20.0, 8.0)),
        planner_uses_index=False,
        built=True,
        build_ms=2500.0,
    )
    lines = report.lines()
    assert lines[0].startswith("recall@10 over 20 sample vectors")
    assert "hnsw.ef_search = 10: recall 0.50, 5.00 ms (20.0x faster)" in lines[1]
    assert "8.0 rows returned" in lines[2]
    assert "recall >= 0.95 from hnsw.ef_search = 100" in lines
    assert any("does not choose this index" in line for line in lines)
    assert any("built in 2.5 s" in line for line in lines)
    assert report.lowest_value_reaching(0.99) is None


def test_vector_cells_are_previews_and_the_value_stays_whole() -> None:
    text = "[" + ",".join(str(i / 1000) for i in range(1, 1025)) + "]"
    assert cell_text(text, "vector") == "[0.001, 0.002, 0.003, …] (1024d)"
    assert format_value(text, "vector") == text  # exports, clipboard and the viewer
    assert vector_preview("[1,2]", "halfvec(2)") == "[1, 2] (2d)"
    assert vector_preview("[1,2,3", "vector") == "[1, 2, 3] (≥2d)"  # cut before it came
    assert vector_preview("{}/5", "sparsevec") == "{} (5d, 0 non-zero)"
    assert vector_preview("[1]", "text") is None
    assert vector_preview(5, "vector") is None
    assert vector_preview("\x1b[31m", "vector") is None  # not a vector: shown as text, escaped
    assert cell_text(None, "vector") == "NULL"
