"""Index specs, DDL, prefix coverage and candidate generation (pure)."""

from __future__ import annotations

from dbtui.core.advisor.candidates import (
    btree_keys,
    dexter_candidates,
    expert_candidates,
    gin_candidates,
    vector_candidates,
)
from dbtui.core.advisor.indexes import (
    ExistingIndex,
    IndexKey,
    IndexSpec,
    covering_index,
    normal_key,
    parse_index_keys,
    quote_ident,
)
from dbtui.core.advisor.shape import ColumnUse, TableRef
from dbtui.drivers.postgres.sqlwalk import extract_shape

T = TableRef("orders")


def uses(sql: str) -> list[ColumnUse]:
    return list(extract_shape(sql).uses)


def test_ddl_quotes_only_when_needed() -> None:
    spec = IndexSpec(
        "Order Items", "public", (IndexKey("user"), IndexKey(expression="lower(email)"))
    )
    assert (
        spec.ddl() == 'CREATE INDEX CONCURRENTLY ON public."Order Items" ("user", (lower(email)))'
    )
    assert spec.ddl(concurrently=False, name="i1") == (
        'CREATE INDEX i1 ON public."Order Items" ("user", (lower(email)))'
    )
    vector = IndexSpec("docs", None, (IndexKey("emb", opclass="vector_l2_ops"),), method="hnsw")
    assert vector.ddl() == "CREATE INDEX CONCURRENTLY ON docs USING hnsw (emb vector_l2_ops)"
    assert quote_ident("select") == '"select"'
    assert quote_ident("ok_name1") == "ok_name1"


def test_normal_keys_and_parsed_definitions() -> None:
    assert normal_key('lower("email")') == "lower(email)"
    assert normal_key('("Email")') == "Email"
    assert parse_index_keys("CREATE INDEX ON public.t USING btree (a, lower(b), (c + 1))") == (
        "btree",
        ("a", "lower(b)", "(c + 1)"),
    )
    assert parse_index_keys("CREATE INDEX i ON t USING gin (doc) WHERE x") == ("gin", ("doc",))


def test_prefix_coverage() -> None:
    existing = [
        ExistingIndex("ab", ("a", "b")),
        ExistingIndex("bad", ("z",), valid=False),
        ExistingIndex("part", ("p",), partial=True),
        ExistingIndex("expr", ("lower(email)",)),
        ExistingIndex("g", ("doc", "tags"), method="gin"),
    ]

    def spec(*keys: str, method: str = "btree") -> IndexSpec:
        return IndexSpec("t", None, tuple(IndexKey(k) for k in keys), method)

    assert covering_index(spec("a"), existing) is existing[0]
    assert covering_index(spec("a", "b"), existing) is existing[0]
    assert covering_index(spec("b"), existing) is None
    assert covering_index(spec("z"), existing) is None  # invalid
    assert covering_index(spec("p"), existing) is None  # partial
    expr = IndexSpec("t", None, (IndexKey(expression='lower("email")'),))
    assert covering_index(expr, existing) is existing[3]
    assert covering_index(spec("tags", method="gin"), existing) is existing[4]
    assert spec("a").leads(spec("a", "b"))
    assert not spec("b").leads(spec("a", "b"))


def test_dexter_candidates_are_singles_and_ordered_pairs() -> None:
    found = uses("SELECT * FROM orders WHERE a = 1 AND b > 2 AND doc @> '{}' ORDER BY c")
    keys = btree_keys(found, {"a": "integer", "b": "integer", "c": "text", "doc": "jsonb"})
    assert [k.label for k in keys] == ["a", "b", "c"]
    singles, pairs = dexter_candidates("orders", "public", keys, [ExistingIndex("i", ("a",))])
    assert [s.labels for s in singles] == [("b",), ("c",)]
    assert len(pairs) == 6
    assert ("a", "b") in [p.labels for p in pairs]
    _, few = dexter_candidates("orders", None, keys, [], budget=4)
    assert len(few) == 1


def test_gin_and_hnsw_candidates_by_type() -> None:
    found = uses(
        "SELECT * FROM orders WHERE doc @> '{}' AND tags && ARRAY['a'] AND js @> '{}' "
        "ORDER BY emb <=> '[1]' LIMIT 3"
    )
    types = {"doc": "jsonb", "tags": "text[]", "js": "json", "emb": "vector(3)"}
    gin = gin_candidates("orders", None, found, types, [])
    assert [s.ddl() for s in gin] == [
        "CREATE INDEX CONCURRENTLY ON orders USING gin (doc)",
        "CREATE INDEX CONCURRENTLY ON orders USING gin (tags)",
    ]
    (hnsw,) = vector_candidates("orders", None, found, types, [])
    assert hnsw.ddl() == "CREATE INDEX CONCURRENTLY ON orders USING hnsw (emb vector_cosine_ops)"
    assert not vector_candidates(
        "orders", None, found, types, [ExistingIndex("v", ("emb",), method="hnsw")]
    )


def test_expert_candidates_follow_sqlite_expert() -> None:
    found = uses("SELECT * FROM orders WHERE a = 1 AND b = 2 AND c > 3 AND d < 4 ORDER BY e DESC")
    specs = expert_candidates("orders", found, [])
    assert [s.labels for s in specs] == [
        ("a", "b"),
        ("a", "b", "c"),
        ("a", "b", "d"),
        ("a", "b", "e"),
    ]
    assert expert_candidates("orders", found, [ExistingIndex("x", ("a", "b", "c", "d"))])[
        0
    ].labels == (
        "a",
        "b",
        "d",
    )
