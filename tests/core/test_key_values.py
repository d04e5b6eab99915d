"""Score ranges and jump positions typed in the key browser's value pane (pure)."""

from __future__ import annotations

import pytest

from dbtui.core.key_values import PageRequest, jump_request, score_range


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 20", (b"10", b"20")),
        ("1.5..2", (b"1.5", b"2")),
        ("(10 +inf", (b"(10", b"+inf")),
        ("-inf (5", (b"-inf", b"(5")),
        ("7", (b"7", b"7")),
        ("user:*", None),
        ("10 20 30", None),
        ("", None),
        ("ten", None),
    ],
)
def test_score_range(text: str, expected: tuple[bytes, bytes] | None) -> None:
    assert score_range(text) == expected


def test_jump_request_positions() -> None:
    listed = PageRequest(b"l", "list", offset=400, from_end=True)
    assert jump_request(listed, "1,000") == PageRequest(b"l", "list", offset=1000)
    assert jump_request(listed, "-1") == PageRequest(b"l", "list", offset=0, from_end=True)
    ranked = PageRequest(b"z", "zset", scores=(b"1", b"9"))
    assert jump_request(ranked, "3") == PageRequest(b"z", "zset", offset=3, scores=(b"1", b"9"))
    stream = PageRequest(b"s", "stream", from_end=True)
    assert jump_request(stream, "1700000000000-1").stream_from == b"1700000000000-1"
    assert jump_request(stream, "17").from_end
    for first, text in [
        (listed, "middle"),
        (PageRequest(b"z", "zset", match=b"a*"), "3"),
        (stream, "yesterday"),
        (PageRequest(b"h", "hash"), "1"),
    ]:
        with pytest.raises(ValueError, match=r"\w"):
            jump_request(first, text)
