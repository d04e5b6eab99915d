"""Export formats round-trip a result with NULLs, unicode, binary, newlines, quotes, numbers, dates."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal

import psycopg
import pytest
from bson import Binary, Decimal128, Int64, ObjectId, json_util
from bson.binary import UuidRepresentation

from dbtui.core.export import (
    MARKDOWN_NULL,
    ROW_WRITERS,
    in_tmux,
    osc52,
    unique_names,
    write_csv,
    write_extended_json,
    write_json,
    write_markdown,
    write_sql_inserts,
)
from dbtui.core.sql_literals import sql_literal
from dbtui.core.values import format_value

TRICKY = "say \"hi\",\nthen 'bye'\r\n| pipe | *star* _u_ `tick` <br> &amp; \\back\\"
UNICODE = "ünï 🐘 👩‍👩‍👧 שלום עולם مرحبا"
COLUMNS = ["id", "name", "note", "blob", "amount", "at", "day", "tags", "doc", "flag", "ratio"]
TYPES = ["int4", "text", "text", "bytea", "numeric", "timestamptz", "date", "_int4", "jsonb"]
PG_DDL = (
    "id int, name text, note text, blob bytea, amount numeric, at timestamptz, day date, "
    "tags int[], doc jsonb, flag bool, ratio float8"
)
AT = dt.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=dt.UTC)
ROWS: list[tuple[object, ...]] = [
    (
        1,
        UNICODE,
        TRICKY,
        b"\x00\xff\x10\n'\"",
        Decimal("12345678901234567890.000100"),
        AT,
        dt.date(2024, 2, 29),
        [1, None, 3],
        {"k": ["v", 1.5, None], "ü": True},
        True,
        0.1,
    ),
    (2, "", "NULL", b"", Decimal("-0.5"), None, None, [], [], False, -1e300),
    (None,) * len(COLUMNS),
    (4, "  padded\t", "\\.", b"\x00", Decimal("0"), AT, dt.date(1, 1, 1), None, "a str", None, 2.5),
]


def render(writer_name: str, **options: object) -> str:
    out = io.StringIO()
    count = ROW_WRITERS[writer_name](out, COLUMNS, iter(ROWS), type_names=TYPES, **options)
    assert count == len(ROWS)
    return out.getvalue()


def texts(row: Sequence[object]) -> list[str | None]:
    kinds = [*TYPES, "", ""]
    return [None if v is None else format_value(v, k) for v, k in zip(row, kinds, strict=False)]


# -- CSV ----------------------------------------------------------------------------------


def test_csv_reads_back_with_the_csv_module() -> None:
    text = render("csv")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header == COLUMNS
    assert rows == [[t if t is not None else "" for t in texts(row)] for row in ROWS]


def test_csv_tells_null_from_empty_string_like_copy() -> None:
    lines = render("csv").splitlines()
    assert lines[-2] == "," * (len(COLUMNS) - 1)  # the all-NULL row: nothing quoted
    assert lines[0] == ",".join(COLUMNS)
    second = lines[1 + TRICKY.count("\n") + 1]
    assert second.startswith('2,"",NULL,\\x,-0.5,,,{},[],false,')


@pytest.mark.postgres
def test_csv_loads_back_into_postgresql_with_copy(postgres_db_url: str) -> None:
    data = render("csv")
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE t ({PG_DDL})")
        with conn.cursor().copy("COPY t FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write(data)
        got = conn.execute("SELECT * FROM t ORDER BY id NULLS LAST").fetchall()
    expected = sorted(ROWS, key=lambda row: (row[0] is None, row[0] or 0))
    assert [_pg_normal(row) for row in got] == [_pg_normal(row) for row in expected]


def _pg_normal(row: Sequence[object]) -> tuple[object, ...]:
    """Python values as PostgreSQL returns them (bytes, UTC datetimes)."""
    out: list[object] = []
    for value in row:
        if isinstance(value, bytes | memoryview):
            value = bytes(value)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC)
        out.append(value)
    return tuple(out)


# -- JSON ---------------------------------------------------------------------------------


def test_json_reads_back_with_exact_numbers() -> None:
    objects = json.loads(render("json"), parse_float=Decimal)
    assert [list(obj) for obj in objects] == [COLUMNS] * len(ROWS)
    first = objects[0]
    assert first["name"] == UNICODE
    assert first["note"] == TRICKY
    assert first["blob"] == "\\x00ff100a2722"
    assert first["amount"] == Decimal("12345678901234567890.000100")
    assert first["at"] == "2024-02-29 23:59:58.123456+00:00"
    assert first["day"] == "2024-02-29"
    assert first["tags"] == [1, None, 3]
    assert first["doc"] == {"k": ["v", Decimal("1.5"), None], "ü": True}
    assert first["flag"] is True
    assert first["ratio"] == Decimal("0.1")
    assert objects[2] == dict.fromkeys(COLUMNS)
    assert objects[1]["name"] == ""
    assert objects[1]["note"] == "NULL"


def test_json_of_nothing_and_repeated_names() -> None:
    out = io.StringIO()
    assert write_json(out, ["a"], []) == 0
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    write_json(out, ["a", "a", "a_2", ""], [(1, 2, 3, 4)])
    assert json.loads(out.getvalue()) == [{"a": 1, "a_2": 2, "a_2_2": 3, "": 4}]
    assert unique_names(["x", "x", "x"]) == ["x", "x_2", "x_3"]


# -- Markdown -----------------------------------------------------------------------------


def parse_markdown_row(line: str) -> list[str | None]:
    """Split one table row on unescaped pipes and undo write_markdown's escaping."""
    assert line.startswith("| ")
    assert line.endswith(" |")
    cells: list[str | None] = []
    raw: list[str] = []
    current: list[str] = []
    pos = 1
    while pos < len(line) - 1:
        ch = line[pos]
        if ch == "\\":
            current.append(line[pos + 1])
            raw.append(line[pos : pos + 2])
            pos += 2
            continue
        if ch == "|":
            cells.append(_cell(current, raw))
            current, raw = [], []
        elif line.startswith("<br>", pos):
            current.append("\n")
            raw.append("<br>")
            pos += 4
            continue
        elif line.startswith("&#", pos):
            end = line.index(";", pos)
            current.append(chr(int(line[pos + 2 : end])))
            raw.append(line[pos : end + 1])
            pos = end + 1
            continue
        else:
            current.append(ch)
            raw.append(ch)
        pos += 1
    cells.append(_cell(current, raw))
    return cells


def _cell(chars: list[str], raw: list[str]) -> str | None:
    # Exactly one space pads each side of the cell.
    assert chars[:1] == [" "]
    assert chars[-1:] == [" "]
    if "".join(raw).strip() == MARKDOWN_NULL:
        return None
    return "".join(chars[1:-1])


def test_markdown_reads_back_exactly() -> None:
    lines = render("markdown").splitlines()
    assert len(lines) == 2 + len(ROWS)  # one line per row: line breaks became <br>
    assert parse_markdown_row(lines[0]) == COLUMNS
    assert lines[1] == "|" + "|".join([" --- "] * len(COLUMNS)) + "|"
    assert [parse_markdown_row(line) for line in lines[2:]] == [texts(row) for row in ROWS]


def test_markdown_keeps_null_apart_from_the_text() -> None:
    out = io.StringIO()
    write_markdown(out, ["v"], [(None,), ("*NULL*",), ("NULL",)])
    assert out.getvalue().splitlines()[2:] == ["| *NULL* |", "| \\*NULL\\* |", "| NULL |"]


# -- SQL INSERT ---------------------------------------------------------------------------

SQLITE_ROWS: list[tuple[object, ...]] = [
    (1, UNICODE, TRICKY, b"\x00\xff\x10\n'\"", 0.1, 2**62),
    (2, "", "NULL", b"", float("inf"), -(2**63)),
    (None, None, None, None, None, None),
    (4, "--", "'; DROP TABLE t; --", b"'", float("-inf"), 0),
]


def test_sql_inserts_round_trip_through_sqlite() -> None:
    columns = ["id", "a b", 'q"uote', "blob", "ratio", "big"]
    for per_statement in (1, 3):
        out = io.StringIO()
        write_sql_inserts(
            out,
            columns,
            iter(SQLITE_ROWS),
            table='my "table"',
            dialect="sqlite",
            rows_per_statement=per_statement,
        )
        db = sqlite3.connect(":memory:")
        db.execute('CREATE TABLE "my ""table""" (id, "a b", "q""uote", blob, ratio, big)')
        db.executescript(out.getvalue())
        assert db.execute('SELECT * FROM "my ""table"""').fetchall() == SQLITE_ROWS
        db.close()


def test_sqlite_literals_for_the_other_types() -> None:
    db = sqlite3.connect(":memory:")
    values = [True, False, Decimal("1.25"), AT, {"a": [1, None]}, [1, "x"], float("nan")]
    got = db.execute("SELECT " + ", ".join(sql_literal(v, "sqlite") for v in values)).fetchone()
    assert got == (
        1,
        0,
        1.25,
        "2024-02-29 23:59:58.123456+00:00",
        '{"a":[1,null]}',
        '[1,"x"]',
        None,
    )


@pytest.mark.postgres
def test_sql_inserts_round_trip_through_postgresql(postgres_db_url: str) -> None:
    extra = [uuid.UUID(int=7), dt.timedelta(days=-1, seconds=5), float("nan"), Decimal("-Infinity")]
    columns = [*COLUMNS, "uid", "span", "nan", "huge"]
    rows = [(*row, *extra) for row in ROWS]
    out = io.StringIO()
    write_sql_inserts(
        out, columns, rows, table=("public", "we.ird"), type_names=TYPES, rows_per_statement=2
    )
    with psycopg.connect(postgres_db_url, autocommit=True) as conn:
        conn.execute(
            f'CREATE TABLE "we.ird" ({PG_DDL}, uid uuid, span interval, nan float8, huge numeric)'
        )
        conn.execute(out.getvalue())
        got = conn.execute('SELECT * FROM "we.ird" ORDER BY id NULLS LAST').fetchall()
    expected = sorted(rows, key=lambda row: (row[0] is None, row[0] or 0))
    assert len(got) == len(expected)
    for got_row, want_row in zip(got, expected, strict=True):
        assert str(got_row[-2]) == "nan"
        assert _pg_normal(got_row[:-2]) == _pg_normal(want_row[:-2])
        assert got_row[-1] == Decimal("-Infinity")


def test_sql_literal_rejects_unknown_dialects() -> None:
    with pytest.raises(ValueError, match="unknown SQL dialect"):
        sql_literal(1, "mysql")


# -- Extended JSON --------------------------------------------------------------------------

OPTIONS = json_util.RELAXED_JSON_OPTIONS.with_options(
    uuid_representation=UuidRepresentation.STANDARD
)


def test_extended_json_round_trips_bson_values() -> None:
    documents: list[dict[str, object]] = [
        {
            "_id": ObjectId("65b1f0c2a1b2c3d4e5f60718"),
            "name": UNICODE,
            "note": TRICKY,
            "at": dt.datetime(2024, 2, 29, 23, 59, 58, 123000),
            "price": Decimal128("12345678901234567890.000100"),
            "raw": Binary(b"\x00\xff", 0x80),
            "bytes": b"\x00\x01\x02",
            "count": Int64(2**40),
            "id": uuid.UUID(int=42),
            "nested": {"list": [1, None, {"deep": "✓"}], "empty": {}},
            "nothing": None,
        },
        {"_id": 2},
    ]
    out = io.StringIO()
    assert write_extended_json(out, iter(documents)) == 2
    text = out.getvalue()
    assert '"$oid": "65b1f0c2a1b2c3d4e5f60718"' in text
    assert UNICODE in text  # written as UTF-8, not \u escapes
    assert json_util.loads(text, json_options=OPTIONS) == documents
    assert len(text.splitlines()) == 4  # "[", one line per document, "]"


def test_extended_json_of_nothing_is_an_empty_array() -> None:
    out = io.StringIO()
    assert write_extended_json(out, []) == 0
    assert json.loads(out.getvalue()) == []


# -- streaming and clipboard ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["csv", "json", "markdown", "sql"])
def test_writers_stream_rows_as_they_come(name: str) -> None:
    out = io.StringIO()

    def rows() -> Iterator[tuple[object, ...]]:
        for number in range(5):
            # Before row n is produced, row n-1 is already in the output.
            if number:
                assert f"row {number - 1}" in out.getvalue()
            yield (number, f"row {number}")

    options: dict[str, object] = {"table": "t"} if name == "sql" else {}
    ROW_WRITERS[name](out, ["n", "label"], rows(), **options)
    assert "row 4" in out.getvalue()


def test_osc52_encodes_the_text_and_wraps_for_tmux() -> None:
    text = f"id\tname\n1\t{UNICODE}\n"
    plain = osc52(text)
    assert plain.startswith("\x1b]52;c;")
    assert plain.endswith("\x07")
    assert base64.b64decode(plain[len("\x1b]52;c;") : -1]).decode("utf-8") == text
    wrapped = osc52(text, tmux=True)
    assert wrapped == "\x1bPtmux;\x1b" + plain + "\x1b\\"
    assert in_tmux({"TMUX": "/tmp/tmux-0/default,1,0"})
    assert not in_tmux({})


def test_csv_quotes_the_copy_end_marker_and_padding() -> None:
    out = io.StringIO()
    write_csv(out, ["v"], [("\\.",), (" x",), ("a;b",)], header=False, delimiter=";")
    assert out.getvalue() == '"\\."\n" x"\n"a;b"\n'
