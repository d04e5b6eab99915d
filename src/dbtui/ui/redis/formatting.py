"""Pure text helpers of the key browser: sizes, TTLs, type badges, value rendering.

No Textual and no I/O here, so everything is testable with plain values.
"""

from __future__ import annotations

import json
import math
import re

from rich.text import Text

from dbtui.core.display import display_bytes, display_text

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

STRING_MODES = ("auto", "text", "json", "hex")
"""How a string value is shown; ``auto`` picks json, text or hex from the content."""

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


def render_string(data: bytes, mode: str, *, offset: int = 0, truncated: bool = False) -> str:
    """A string value as text in ``mode`` (one of :data:`STRING_MODES`).

    ``auto`` shows pretty JSON for a complete JSON document, plain text for
    UTF-8 text, and a hex dump otherwise. Text is escaped (no control character but
    newlines and tabs reaches the screen). ``json`` falls back to text when
    the value does not parse (a truncated document never does).
    """
    if mode in ("auto", "json") and not truncated:
        pretty = pretty_json(data)
        if pretty is not None:
            return display_text(pretty, multiline=True)
    if mode == "hex" or (mode == "auto" and not is_text(data, truncated)):
        return hex_dump(data, offset)
    return display_text(data.decode("utf-8", errors="replace"), multiline=True)


def string_mode_label(data: bytes, mode: str, truncated: bool) -> str:
    """What :func:`render_string` actually showed, for the status line."""
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
