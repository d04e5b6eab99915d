"""Pure text helpers of the Redis key browser (no server, no Textual app)."""

from __future__ import annotations

import pytest

from dbtui.core.key_values import field_filter
from dbtui.ui.key_browser.formatting import (
    cell,
    hex_dump,
    human_bytes,
    is_text,
    parse_ttl,
    render_string,
    string_mode_label,
    ttl_text,
)


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("3600", 3_600_000),
        ("10m", 600_000),
        ("2h 30m", 9_000_000),
        ("1d", 86_400_000),
        ("1.5s", 1500),
        ("250ms", 250),
        ("persist", None),
        ("", None),
        ("-1", None),
    ],
)
def test_parse_ttl(text: str, millis: int | None) -> None:
    assert parse_ttl(text) == millis


@pytest.mark.parametrize("text", ["soon", "10 parsecs", "0", "5x", "0ms"])
def test_parse_ttl_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="TTL"):
        parse_ttl(text)


def test_sizes_and_ttls() -> None:
    assert [human_bytes(n) for n in (None, 0, 1023, 1536, 10 * 1024, 5 * 1024**3)] == [
        "?",
        "0B",
        "1023B",
        "1.5K",
        "10K",
        "5.0G",
    ]
    assert ttl_text(None) == "∞"
    assert ttl_text(0) == "expired"
    assert ttl_text(2500) == "2.5s"
    assert ttl_text(272_000) == "4m 32s"
    assert ttl_text(90_061_000) == "1d 1h"


def test_strings_render_as_json_text_or_hex() -> None:
    assert render_string(b'{"a":1}', "auto") == '{\n  "a": 1\n}'
    assert string_mode_label(b'{"a":1}', "auto", False) == "json"
    assert render_string(b"plain text", "auto") == "plain text"
    assert render_string(b"\x00\x01ab", "auto") == "000000  00 01 61 62" + " " * 14 + "..ab"
    assert string_mode_label(b'{"a":', "json", True) == "text (not JSON)"
    # A UTF-8 character cut by the end of a chunk is still text.
    assert is_text("é".encode() * 3 + "é".encode()[:1], truncated=True)
    assert not is_text(b"\xff\xfe", truncated=False)
    assert hex_dump(b"abcdefghij", offset=16).splitlines()[1].startswith("000018  69 6a")


def test_cells_and_field_filters() -> None:
    assert cell(3) == "3"
    assert cell(2.0) == "2"
    assert cell(0.5) == "0.5"
    assert cell(float("inf")) == "inf"
    assert cell(b"a\nb\xff") == "a↵b\\xff"
    assert cell("x" * 200, width=10) == "x" * 9 + "…"
    assert field_filter(b"") is None
    assert field_filter(b"user") == b"*user*"
    assert field_filter(b"us*r") == b"us*r"
    assert field_filter(b"a[b") == b"a[b"
