"""Value formatters: text, JSON, MessagePack, gzip/zlib-compressed values, hex. Pure, no I/O.

:func:`decode_value` shows a stored value (a Redis string, a hash field...) in the
format asked for, or in the one :func:`detect_format` finds:

1. gzip (magic ``1f 8b``) or zlib (a valid zlib header that inflates), then the
   inflated bytes are detected again (JSON, text, MessagePack or hex): ``gzip+json``;
2. UTF-8 text: ``json`` when it parses as a JSON object or array, else ``text``;
3. MessagePack when the bytes are one whole map or array (``msgpack``);
4. ``hex`` (a hexdump) for anything else.

Decompression never inflates more than :data:`INFLATE_LIMIT` bytes (a 10 KB zip bomb
that would expand to gigabytes stops there, with a note), and a hexdump covers at most
:data:`HEX_LIMIT` bytes. The returned text is plain: it may hold control characters
from the data, so the UI shows it through its safe-text helpers.
"""

from __future__ import annotations

import datetime
import json
import zlib
from dataclasses import dataclass
from typing import Literal

import msgpack  # type: ignore[import-untyped]  # ships no type information

from dbtui.core.replies import looks_binary

Format = Literal["auto", "text", "json", "msgpack", "gzip", "zlib", "hex"]
FORMATS: tuple[Format, ...] = ("auto", "text", "json", "msgpack", "gzip", "zlib", "hex")
"""The formats a user can pick, ``auto`` first."""

INFLATE_LIMIT = 16 * 1024 * 1024
"""Most bytes a compressed value is inflated to."""
HEX_LIMIT = 64 * 1024
"""Most bytes shown in a hexdump."""
_MAX_DEPTH = 200


class NotThisFormat(ValueError):
    """The value is not in the format asked for (the message says why, for the user)."""


@dataclass(frozen=True)
class Decoded:
    """A value shown in one format.

    Attributes:
        format: What was applied: ``text``, ``json``, ``msgpack``, ``hex``, or a
            compression and what was inside (``gzip+json``, ``zlib+text``).
        text: The value as text (plain: the UI escapes it).
        note: What was left out (``inflated to the first 16 MiB only``), or "".
    """

    format: str
    text: str
    note: str = ""


def as_text(data: bytes) -> str:
    """``data`` as UTF-8 text.

    Raises:
        NotThisFormat: not valid UTF-8.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotThisFormat(
            f"not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x})"
        ) from None


def as_json(data: bytes) -> str:
    """``data`` parsed as JSON and pretty-printed (2-space indent, Unicode kept).

    Raises:
        NotThisFormat: not UTF-8, or not JSON.
    """
    text = as_text(data)
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotThisFormat(f"not JSON ({exc})") from None
    return json.dumps(parsed, indent=2, ensure_ascii=False)


def _plain(value: object, depth: int = 0) -> object:
    """A MessagePack value as JSON-able data: bytes as ``0x…``, extension types named."""
    if depth > _MAX_DEPTH:
        raise NotThisFormat("MessagePack nested too deep to show")
    if isinstance(value, dict):
        return {_key(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, msgpack.ExtType):
        return f"ExtType({value.code}, 0x{value.data.hex()})"
    if isinstance(value, list | tuple):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, msgpack.Timestamp | datetime.datetime):
        moment = value.to_datetime() if isinstance(value, msgpack.Timestamp) else value
        return moment.isoformat()
    return value


def _key(key: object) -> str:
    if isinstance(key, str):
        return key
    plain = _plain(key)
    return plain if isinstance(plain, str) else json.dumps(plain, ensure_ascii=False)


def as_msgpack(data: bytes, *, containers_only: bool = False) -> str:
    """``data`` decoded as one MessagePack object, shown as pretty JSON.

    ``containers_only`` accepts only a map or an array (what :func:`detect_format`
    asks: almost any short byte string is some MessagePack scalar).

    Raises:
        NotThisFormat: not exactly one MessagePack object (or not a container).
    """
    try:
        value = msgpack.unpackb(data, raw=False, strict_map_key=False, unicode_errors="replace")
    except (ValueError, TypeError, RecursionError, msgpack.UnpackException) as exc:
        raise NotThisFormat(f"not MessagePack ({type(exc).__name__})") from None
    if containers_only and not isinstance(value, dict | list):
        raise NotThisFormat("not a MessagePack map or array")
    return json.dumps(_plain(value), indent=2, ensure_ascii=False, default=str)


def inflate(data: bytes, wbits: int, *, limit: int = INFLATE_LIMIT) -> tuple[bytes, bool]:
    """Decompress ``data`` (``wbits`` as :func:`zlib.decompressobj` takes it) up to ``limit`` bytes.

    Returns the bytes and whether the output was cut at ``limit``. Several gzip members
    in a row are inflated one after the other.

    Raises:
        NotThisFormat: not compressed data of that kind, or truncated.
    """
    out = bytearray()
    rest = data
    try:
        while rest:
            inflater = zlib.decompressobj(wbits)
            out += inflater.decompress(rest, limit - len(out) + 1)
            if len(out) > limit:
                return bytes(out[:limit]), True
            if not inflater.eof:
                raise NotThisFormat("the compressed data is cut short")
            rest = inflater.unused_data
            if wbits < 16:  # zlib: one stream only
                break
    except zlib.error as exc:
        raise NotThisFormat(f"not compressed data ({exc})") from None
    return bytes(out), False


def gunzip(data: bytes, *, limit: int = INFLATE_LIMIT) -> tuple[bytes, bool]:
    """:func:`inflate` of gzip data (magic ``1f 8b``)."""
    if not data.startswith(b"\x1f\x8b"):
        raise NotThisFormat("not gzip (no 1f 8b header)")
    return inflate(data, 16 + zlib.MAX_WBITS, limit=limit)


def unzlib(data: bytes, *, limit: int = INFLATE_LIMIT) -> tuple[bytes, bool]:
    """:func:`inflate` of zlib data (a 2-byte zlib header, then deflate)."""
    if not looks_zlib(data):
        raise NotThisFormat("not zlib (no zlib header)")
    return inflate(data, zlib.MAX_WBITS, limit=limit)


def looks_zlib(data: bytes) -> bool:
    """True when ``data`` starts with a valid zlib header (deflate, window <= 32 KiB)."""
    if len(data) < 2:
        return False
    cmf, flg = data[0], data[1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf * 256 + flg) % 31 == 0


def hexdump(data: bytes, *, limit: int = HEX_LIMIT) -> str:
    """``data`` as hexdump lines: offset, 16 bytes in hex, and their printable ASCII."""
    lines = []
    for offset in range(0, min(len(data), limit), 16):
        chunk = data[offset : offset + 16]
        hexes = " ".join(f"{byte:02x}" for byte in chunk)
        ascii_ = "".join(chr(byte) if 0x20 <= byte < 0x7F else "." for byte in chunk)
        lines.append(f"{offset:08x}  {hexes:<47}  |{ascii_}|")
    return "\n".join(lines)


def _hex(data: bytes) -> Decoded:
    note = f"the first {HEX_LIMIT:,} of {len(data):,} bytes" if len(data) > HEX_LIMIT else ""
    return Decoded("hex", hexdump(data), note)


def _text_of(data: bytes, cut: bool) -> str:
    """:func:`as_text`; when ``cut``, a character cut at the end (up to 3 bytes) is dropped."""
    try:
        return as_text(data)
    except NotThisFormat:
        if not cut:
            raise
        for drop in (1, 2, 3):
            try:
                return as_text(data[:-drop])
            except NotThisFormat:
                continue
        raise


def _plain_format(data: bytes, cut: bool = False) -> Decoded:
    """Detection for bytes that are not compressed: JSON, text, MessagePack, hex.

    ``cut``: the bytes are the start of a longer value (an inflation stopped at its limit).
    """
    try:
        text = _text_of(data, cut)
    except NotThisFormat:
        try:
            return Decoded("msgpack", as_msgpack(data, containers_only=True))
        except NotThisFormat:
            return _hex(data)
    if looks_binary(text[:4096]):
        return _hex(data)
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            return Decoded("json", as_json(data))
        except NotThisFormat:
            pass
    return Decoded("text", text)


def _inflated(name: str, inflated: tuple[bytes, bool]) -> Decoded:
    data, cut = inflated
    note = f"inflated to the first {INFLATE_LIMIT:,} bytes only" if cut else ""
    inner = _plain_format(data, cut)
    return Decoded(f"{name}+{inner.format}", inner.text, note or inner.note)


def detect_format(data: bytes) -> str:
    """The format :func:`decode_value` picks for ``data`` in ``auto`` (e.g. ``gzip+json``)."""
    return decode_value(data).format


def decode_value(data: bytes, fmt: Format = "auto") -> Decoded:
    """``data`` shown in ``fmt`` (``auto``: the first that applies, see the module doc).

    Raises:
        NotThisFormat: ``fmt`` is not ``auto`` and the value is not in that format.
    """
    if fmt == "auto":
        if data.startswith(b"\x1f\x8b"):
            try:
                return _inflated("gzip", gunzip(data))
            except NotThisFormat:
                pass
        if looks_zlib(data):
            try:
                return _inflated("zlib", unzlib(data))
            except NotThisFormat:
                pass
        return _plain_format(data)
    if fmt == "text":
        return Decoded("text", as_text(data))
    if fmt == "json":
        return Decoded("json", as_json(data))
    if fmt == "msgpack":
        return Decoded("msgpack", as_msgpack(data))
    if fmt == "gzip":
        return _inflated("gzip", gunzip(data))
    if fmt == "zlib":
        return _inflated("zlib", unzlib(data))
    return _hex(data)
