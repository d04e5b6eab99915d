"""Reply lines (core.replies): every RESP type as redis-cli shows it, bounded and escaped."""

from __future__ import annotations

from dbtui.core.display import BIDI_CONTROLS
from dbtui.core.replies import (
    VALUE_WIDTH,
    ErrorReply,
    Pairs,
    ReplyLine,
    Sections,
    Status,
    TextBlock,
    bulk_pieces,
    looks_binary,
    reply_lines,
)


def plain(reply: object, **kwargs: int) -> list[str]:
    return [line.plain for line in reply_lines(reply, **kwargs)]


def kinds(line: ReplyLine) -> list[str]:
    return [piece.kind for piece in line.pieces]


def test_scalars_read_like_redis_cli() -> None:
    assert plain(b"bar") == ['"bar"']
    assert plain(Status(b"OK")) == ["OK"]
    assert plain(42) == ["(integer) 42"]
    assert plain(-1) == ["(integer) -1"]
    assert plain(None) == ["(nil)"]
    assert plain(3.5) == ["(double) 3.5"]
    assert plain(True) == ["(true)"]
    assert plain([]) == ["(empty array)"]
    assert plain({}) == ["(empty map)"]
    assert plain(ErrorReply("WRONGTYPE Operation")) == ["(error) WRONGTYPE Operation"]
    assert kinds(reply_lines(ErrorReply("x"))[0]) == ["error"]
    assert kinds(reply_lines(None)[0]) == ["nil"]
    assert kinds(reply_lines(7)[0]) == ["integer"]


def test_strings_are_text_escaped_and_binary_is_hex() -> None:
    assert plain(b'say "hi"\n\tbye\\') == ['"say \\"hi\\"\\n\\tbye\\\\"']
    assert plain("café ☕".encode()) == ['"café ☕"']
    assert plain(b"bin\xff") == ['"bin\\xff"']  # mostly text: one bad byte escaped
    assert plain(b"a\x00b") == ['"a\\x00b"']
    assert plain(b"\x89PNG\r\n\x1a\n\x00\x00") == ["(binary) 89 50 4e 47 0d 0a 1a 0a 00 00"]
    assert kinds(reply_lines(b"\x00\x01")[0]) == ["binary"]
    assert plain(b"") == ['""']
    assert looks_binary("\x00\x01\x02")
    assert not looks_binary("line one\nline two\t")


def test_long_values_are_clipped_with_their_size() -> None:
    big = b"L" * 50_000_000
    line = reply_lines(big)[0]
    assert len(line.plain) < VALUE_WIDTH + 40
    assert line.plain.endswith('…" (50,000,000 bytes)')
    assert line.value is big  # Enter opens the whole value
    hexed = bulk_pieces(b"\x00" * 10_000)
    assert hexed[0].text.endswith(" …")
    assert hexed[-1].text == " (10,000 bytes)"
    cut = bulk_pieces("é".encode() * 5000, width=10)  # clipped inside a character
    assert cut[0].text == '"éééééééé…"'


def test_arrays_are_numbered_and_nested_arrays_indented() -> None:
    reply = [b"a", [b"x", [b"y", b"z"]], 3]
    assert plain(reply) == [
        '1) "a"',
        '2) 1) "x"',
        '   2) 1) "y"',
        '      2) "z"',
        "3) (integer) 3",
    ]
    assert plain(list(range(1, 11)))[0] == " 1) (integer) 1"  # numbers aligned
    assert plain(list(range(1, 11)))[-1] == "10) (integer) 10"
    assert plain({b"m"}) == ['1~ "m"']


def test_pairs_and_maps_show_field_and_value() -> None:
    assert plain(Pairs([b"name", b"Ada", b"age", b"36"])) == [
        '1# "name" => "Ada"',
        '2# "age" => "36"',
    ]
    line = reply_lines(Pairs([b"f", b"v"]))[0]
    assert kinds(line) == ["index", "field", "punct", "string"]
    assert plain({b"first-entry": [b"1-1", Pairs([b"f", b"v"])], b"length": 1}) == [
        '1# "first-entry" =>',
        '     1) "1-1"',
        '     2) 1# "f" => "v"',
        '2# "length" => (integer) 1',
    ]
    assert plain({"127.0.0.1:7000": 5}) == ["1# 127.0.0.1:7000 => (integer) 5"]
    assert plain(Pairs([b"odd"])) == ['1) "odd"']  # not pairs after all


def test_info_sections_and_text_blocks() -> None:
    info = Sections(
        b"# Server\r\nredis_version:7.2.4\r\nos:Linux\r\n\r\n# Keyspace\r\ndb0:keys=1\r\n"
    )
    lines = reply_lines(info)
    assert [line.plain for line in lines] == [
        "# Server",
        "redis_version:7.2.4",
        "os:Linux",
        "",
        "# Keyspace",
        "db0:keys=1",
    ]
    assert kinds(lines[0]) == ["section"]
    assert kinds(lines[1]) == ["field", "punct", "text"]
    assert lines[1].value == "7.2.4"
    block = TextBlock(b"id=1 addr=a\nid=2 addr=b\n")
    assert plain(block) == ["id=1 addr=a", "id=2 addr=b"]


def test_hostile_text_is_escaped_in_every_place() -> None:
    hostile = "\x1b]52;c;aGk=\x07[/][bold]x\u202e\x00"
    reply = [
        hostile.encode(),
        Status(hostile.encode()),
        ErrorReply(hostile),
        Pairs([hostile.encode(), hostile.encode()]),
        Sections(f"# {hostile}\r\n{hostile}:{hostile}\r\n".encode()),
        TextBlock(hostile.encode()),
        hostile,
    ]
    for line in reply_lines(reply):
        assert line.plain.isprintable(), line.plain
        assert not set(line.plain) & BIDI_CONTROLS
        assert "[/]" in line.plain  # shown as is (the UI never parses markup)


def test_a_huge_reply_is_cut_to_the_line_limit() -> None:
    reply = [b"x"] * 1_000_000
    lines = reply_lines(reply, max_lines=100)
    assert len(lines) == 101
    assert lines[-1].plain.startswith("… only the first 100 lines of a reply of 1,000,000 elements")
    assert kinds(lines[-1]) == ["note"]
    assert len(reply_lines([b"x"] * 100, max_lines=100)) == 100  # exactly the limit: no note


def test_deep_nesting_stops() -> None:
    reply: list[object] = []
    inner = reply
    for _ in range(500):
        nested: list[object] = []
        inner.append(nested)
        inner = nested
    inner.append(b"bottom")
    lines = plain(reply)
    assert "(nested too deep to show)" in lines[0]
