"""Value formatters (core.value_formats) on values encoded by the real libraries."""

from __future__ import annotations

import datetime
import gzip
import json
import time
import zlib

import msgpack  # type: ignore[import-untyped]
import pytest

from dbtui.core.value_formats import (
    FORMATS,
    INFLATE_LIMIT,
    NotThisFormat,
    decode_value,
    detect_format,
    hexdump,
)

DOC = {"user": "Ada", "tags": ["a", "b"], "n": 3, "ok": True, "city": "Zürich"}
JSON = json.dumps(DOC).encode()


def test_auto_detection_picks_the_format_that_applies() -> None:
    assert detect_format(b"plain words") == "text"
    assert detect_format(JSON) == "json"
    assert detect_format(b"[1, 2]") == "json"
    assert detect_format(b"{not json") == "text"
    assert detect_format(msgpack.packb(DOC)) == "msgpack"
    assert detect_format(msgpack.packb([1, 2, 3])) == "msgpack"
    assert detect_format(gzip.compress(JSON)) == "gzip+json"
    assert detect_format(gzip.compress(b"some text")) == "gzip+text"
    assert detect_format(zlib.compress(JSON)) == "zlib+json"
    assert detect_format(zlib.compress("naïve text".encode())) == "zlib+text"
    assert detect_format(gzip.compress(msgpack.packb(DOC))) == "gzip+msgpack"
    assert detect_format(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == "hex"
    assert detect_format(b"\x00" * 64) == "hex"
    assert detect_format(b"") == "text"
    assert detect_format(b"7") == "text"  # a MessagePack int too, but text wins


def test_json_is_pretty_printed_with_unicode_kept() -> None:
    shown = decode_value(JSON)
    assert json.loads(shown.text) == DOC
    assert '\n  "user": "Ada"' in shown.text
    assert "Zürich" in shown.text


def test_msgpack_shows_as_json_with_bytes_and_extensions_named() -> None:
    value = {
        "id": 7,
        "blob": b"\x00\xff",
        1: "int key",
        "when": msgpack.Timestamp(1_700_000_000, 0),
        "ext": msgpack.ExtType(5, b"\x01\x02"),
        "nested": [{"a": None}],
    }
    shown = decode_value(msgpack.packb(value, datetime=False), "msgpack")
    parsed = json.loads(shown.text)
    assert parsed["id"] == 7
    assert parsed["blob"] == "0x00ff"
    assert parsed["1"] == "int key"
    assert (
        parsed["when"]
        == datetime.datetime.fromtimestamp(1_700_000_000, tz=datetime.UTC).isoformat()
    )
    assert parsed["ext"] == "ExtType(5, 0x0102)"
    assert parsed["nested"] == [{"a": None}]
    assert decode_value(msgpack.packb("scalar"), "msgpack").text == '"scalar"'


def test_compressed_values_inflate() -> None:
    assert json.loads(decode_value(gzip.compress(JSON), "gzip").text) == DOC
    assert decode_value(zlib.compress(b"hello"), "zlib").text == "hello"
    two_members = gzip.compress(b"first ") + gzip.compress(b"second")
    assert decode_value(two_members).text == "first second"


def test_a_zip_bomb_stops_at_the_limit() -> None:
    bomb = gzip.compress(b"A" * (200 * 1024 * 1024), compresslevel=9)  # 200 MiB in ~200 KB
    assert len(bomb) < 1024 * 1024
    started = time.perf_counter()
    shown = decode_value(bomb)
    assert time.perf_counter() - started < 10
    assert shown.format == "gzip+text"
    assert len(shown.text) == INFLATE_LIMIT
    assert shown.note == f"inflated to the first {INFLATE_LIMIT:,} bytes only"
    zbomb = zlib.compress(b"\x00" * (100 * 1024 * 1024))
    zshown = decode_value(zbomb)
    assert zshown.format == "zlib+hex"
    assert zshown.note.startswith("inflated to the first")


def test_cut_inflation_keeps_text_cut_mid_character() -> None:
    data = gzip.compress("é".encode() * (INFLATE_LIMIT // 2 + 10))
    shown = decode_value(data)
    assert shown.format == "gzip+text"
    assert set(shown.text) == {"é"}


def test_hexdump() -> None:
    assert hexdump(b"AB\x00\xff" * 5) == (
        "00000000  41 42 00 ff 41 42 00 ff 41 42 00 ff 41 42 00 ff  |AB..AB..AB..AB..|\n"
        "00000010  41 42 00 ff                                      |AB..|"
    )
    big = decode_value(b"\x01\x02" * 100_000, "hex")
    assert big.note == "the first 65,536 of 200,000 bytes"
    assert len(big.text.splitlines()) == 65_536 // 16


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"\xff\xfe", "text"),
        (b"{'single': 1}", "json"),
        (b"\xc1", "msgpack"),  # 0xc1 is never used
        (b"plain", "gzip"),
        (b"plain", "zlib"),
        (gzip.compress(b"x", mtime=0)[:-12], "gzip"),  # cut short (mtime fixed: stable test ids)
    ],
)
def test_a_chosen_format_that_does_not_apply_says_so(data: bytes, fmt: str) -> None:
    assert fmt in FORMATS
    with pytest.raises(NotThisFormat) as info:
        decode_value(data, fmt)
    assert str(info.value)
