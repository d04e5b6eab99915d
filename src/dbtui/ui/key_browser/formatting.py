"""Pure text helpers of the key browser: sizes, TTLs, type badges, value rendering.

No Textual and no I/O here, so everything is testable with plain values.
"""

from __future__ import annotations

import json
import math
import re

from rich.text import Text

from dbtui.core.display import display_bytes, display_text
from dbtui.core.key_values import PageRequest, ValuePage
from dbtui.core.keyspace import KeyInfo
from dbtui.core.keytree import format_key
from dbtui.core.value_formats import Decoded, NotThisFormat, decode_value

#: Short badge and colour (16-colour safe) per Redis type.
TYPE_BADGES: dict[str, tuple[str, str]] = {
    "string": ("str", "green"),
    "hash": ("hash", "cyan"),
    "list": ("list", "yellow"),
    "set": ("set", "magenta"),
    "zset": ("zset", "blue"),
    "stream": ("strm", "red"),
    "ReJSON-RL": ("json", "bright_green"),
    "none": ("gone", "bright_black"),
}

#: The type filter choices: (label, SCAN TYPE value or None for every type).
TYPE_FILTERS: tuple[tuple[str, str | None], ...] = (
    ("any type", None),
    ("string", "string"),
    ("hash", "hash"),
    ("list", "list"),
    ("set", "set"),
    ("zset", "zset"),
    ("stream", "stream"),
)

STRING_MODES = ("auto", "text", "json", "hex", "msgpack", "gzip", "zlib")
"""How a string value is shown (``v`` cycles); ``auto`` picks from the content: gzip or
zlib (and what they hold), JSON, text, MessagePack, else hex."""
DECODED_MODES = ("msgpack", "gzip", "zlib")
"""Modes shown by :func:`dbtui.core.value_formats.decode_value`."""

_TTL_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TTL = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|[smhdw]?)")


def human_bytes(size: int | None) -> str:
    """``1536`` -> ``"1.5K"``; ``None`` -> ``"?"`` (binary units, at most 4 characters)."""
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "K", "M", "G", "T"):
        if value < 1024 or unit == "T":
            if unit == "B":
                return f"{int(value)}B"
            return f"{value:.1f}{unit}" if value < 10 else f"{value:.0f}{unit}"
        value /= 1024
    return f"{size}B"  # pragma: no cover - the loop always returns


def human_count(count: int) -> str:
    """``12345`` -> ``"12k"``: a compact count for narrow tree labels."""
    if count < 10_000:
        return str(count)
    if count < 1_000_000:
        return f"{count // 1000}k"
    return f"{count / 1_000_000:.1f}M"


def ttl_text(ttl_ms: int | None) -> str:
    """Milliseconds left as ``"4m 32s"``; ``None`` (no expiry) as ``"∞"``."""
    if ttl_ms is None:
        return "∞"
    if ttl_ms <= 0:
        return "expired"
    seconds = ttl_ms // 1000
    if seconds < 60:
        return f"{ttl_ms / 1000:.1f}s" if seconds < 10 else f"{seconds}s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(parts[:2])


def parse_ttl(text: str) -> int | None:
    """The TTL a user typed, in milliseconds; ``None`` means persist (remove the TTL).

    Accepts ``persist`` (or ``none``, ``-1``, empty), a number of seconds, or
    numbers with units ``ms s m h d w`` that add up (``1h 30m``).

    Raises:
        ValueError: the text is not a TTL, or it is zero.
    """
    cleaned = text.strip().lower()
    if cleaned in ("", "persist", "none", "never", "-1", "∞"):
        return None
    pos = 0
    total = 0.0
    for match in _TTL.finditer(cleaned):
        if cleaned[pos : match.start()].strip():
            break
        number, unit = match.groups()
        total += float(number) * (0.001 if unit == "ms" else _TTL_UNITS[unit])
        pos = match.end()
    if pos == 0 or cleaned[pos:].strip():
        raise ValueError(f"not a TTL: {text!r} (try 3600, 10m, 2h 30m, 1d or persist)")
    millis = round(total * 1000)
    if millis <= 0:
        raise ValueError("a TTL must be more than zero (type persist to remove it)")
    return millis


def type_badge(type_name: str | None) -> Text:
    """A fixed-width coloured badge for a key's type (``"    "`` while unknown)."""
    if type_name is None:
        return Text("    ")
    label, style = TYPE_BADGES.get(type_name, (type_name[:4], "white"))
    return Text(f"{label:<4}", style=style)


def printable(data: bytes) -> str:
    """Bytes as one line of text: valid UTF-8 kept, other bytes and controls escaped."""
    return display_bytes(data)


def is_text(data: bytes, truncated: bool) -> bool:
    """True when ``data`` is UTF-8 text (a character cut at the end of a chunk is allowed)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if not truncated or error.start < len(data) - 3:
            return False
        text = data[: error.start].decode("utf-8", errors="replace")
    return all(c.isprintable() or c in "\n\r\t" for c in text)


def pretty_json(data: bytes) -> str | None:
    """Indented JSON when ``data`` parses as a JSON object or array; ``None`` otherwise."""
    stripped = data.strip()
    if not stripped or stripped[:1] not in (b"{", b"["):
        return None
    try:
        return json.dumps(json.loads(stripped), indent=2, ensure_ascii=False)
    except (ValueError, UnicodeDecodeError):
        return None


def hex_dump(data: bytes, offset: int = 0, width: int = 8) -> str:
    """``width`` bytes per line: offset, hex bytes, printable ASCII (narrow enough for 80 cols)."""
    lines = []
    for start in range(0, len(data), width):
        chunk = data[start : start + width]
        hex_part = " ".join(f"{b:02x}" for b in chunk).ljust(width * 3 - 1)
        ascii_part = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{offset + start:06x}  {hex_part}  {ascii_part}")
    return "\n".join(lines)


def decoded(data: bytes, mode: str, truncated: bool) -> Decoded | None:
    """``data`` decoded as MessagePack or inflated (gzip, zlib), when ``mode`` asks for that
    or, in ``auto``, when the content is one of those; ``None`` otherwise.

    A chunk of a longer value (``truncated``) is never decoded: it cannot be whole.
    """
    if truncated or mode not in ("auto", *DECODED_MODES):
        return None
    try:
        found = decode_value(data, "auto" if mode == "auto" else mode)  # type: ignore[arg-type]
    except NotThisFormat:
        return None
    if mode == "auto" and found.format in ("text", "json", "hex"):
        return None  # shown as before, by render_string's own text, JSON and hex
    return found


def render_string(data: bytes, mode: str, *, offset: int = 0, truncated: bool = False) -> str:
    """A string value as text in ``mode`` (one of :data:`STRING_MODES`).

    ``auto`` shows a compressed or MessagePack value decoded, pretty JSON for a complete
    JSON document, plain text for UTF-8 text, and a hex dump otherwise. Text is escaped
    (no control character but newlines and tabs reaches the screen). ``json`` falls back
    to text, and the decoded modes to JSON, text or hex, when the value is not in that
    format (a truncated one never is).
    """
    found = decoded(data, mode, truncated)
    if found is not None:
        return display_text(found.text, multiline=True)
    return _render_plain(data, "auto" if mode in DECODED_MODES else mode, offset, truncated)


def _render_plain(data: bytes, mode: str, offset: int, truncated: bool) -> str:
    if mode in ("auto", "json") and not truncated:
        pretty = pretty_json(data)
        if pretty is not None:
            return display_text(pretty, multiline=True)
    if mode == "hex" or (mode == "auto" and not is_text(data, truncated)):
        return hex_dump(data, offset)
    return display_text(data.decode("utf-8", errors="replace"), multiline=True)


def string_mode_label(data: bytes, mode: str, truncated: bool) -> str:
    """What :func:`render_string` actually showed, for the status line."""
    found = decoded(data, mode, truncated)
    if found is not None:
        return f"{found.format} ({found.note})" if found.note else found.format
    if mode in DECODED_MODES:
        return f"{_plain_label(data, 'auto', truncated)} (not {mode})"
    return _plain_label(data, mode, truncated)


def _plain_label(data: bytes, mode: str, truncated: bool) -> str:
    if mode == "auto":
        if not truncated and pretty_json(data) is not None:
            return "json"
        return "text" if is_text(data, truncated) else "hex"
    if mode == "json" and (truncated or pretty_json(data) is None):
        return "text (not JSON)"
    return mode


def cell(data: bytes | str | float, width: int = 120) -> str:
    """One table cell: escaped, newlines shown as ``↵``, cut to ``width`` characters."""
    if isinstance(data, int):
        text = str(data)
    elif isinstance(data, float):
        whole = math.isfinite(data) and data == int(data) and abs(data) < 1e15
        text = str(int(data)) if whole else repr(data)
    elif isinstance(data, bytes):
        text = printable(data.replace(b"\n", "↵".encode()))
    else:
        text = data
    return text if len(text) <= width else text[: width - 1] + "…"


UNITS = {"hash": "fields", "list": "elements", "set": "members", "zset": "members"}
"""What the rows of each collection type are called in the value pane's status line."""


def key_head(key: bytes, info: KeyInfo, ttl_ms: int | None) -> Text:
    """The value pane's head: the name, then ``badge  TTL …  mem …  len …``."""
    text = Text(format_key(key), style="bold")
    text.append("\n")
    text.append_text(type_badge(info.type))
    text.append(f"  TTL {ttl_text(ttl_ms)}", style="yellow" if ttl_ms is not None else "")
    text.append(f"  mem {human_bytes(info.memory)}")
    if info.length is not None:
        text.append(f"  len {info.length:,}")
    return text


def rows_status(
    first: PageRequest, page: ValuePage, loaded: int, length: int | None, more: bool
) -> str:
    """``"200 of 300 elements · m: more · E: from end"`` under a collection's table.

    ``first`` is the request the rows were first read with (its jump, filter, direction).
    """
    kind = page.request.type
    total = page.total if page.total is not None else length
    parts = [f"{loaded:,}" + (f" of {total:,}" if total is not None else "") + " "]
    parts[0] += UNITS.get(kind, "entries")
    if page.request.match is not None:
        parts.append(f"matching {format_key(page.request.match)}")
    if first.scores is not None:
        parts.append(f"scores {format_key(first.scores[0])} to {format_key(first.scores[1])}")
    elif kind == "zset" and page.request.match is None:
        parts.append("by score")
    if first.offset and kind in ("list", "zset"):
        what = "#" if kind == "list" else "rank "
        parts.append(f"from {what}{first.offset:,}" + (" from the end" if first.from_end else ""))
    if first.stream_from is not None:
        parts.append(f"from {format_key(first.stream_from)}")
    if more:
        parts.append("m: more")
    if kind in ("list", "stream") or (kind == "zset" and page.request.match is None):
        other = "lowest first" if kind == "zset" else "from start"
        end = "highest first" if kind == "zset" else "from end"
        parts.append("E: " + (other if page.request.from_end else end))
        parts.append("g: jump")
    return " · ".join(parts)
