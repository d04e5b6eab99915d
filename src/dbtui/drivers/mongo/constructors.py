"""The mongosh value constructors dbtui understands, and Extended JSON wrappers.

Each constructor takes the already-parsed argument values and returns a
BSON-ready Python value; nothing here evaluates code. A constructor that gets
arguments it cannot use raises :class:`ConstructorError` with a message the
parser shows at the constructor's position.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from bson import Binary, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp, json_util
from bson.binary import UuidRepresentation
from bson.errors import BSONError

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
REGEX_FLAGS = "imsxu"
"""Regular-expression flags MongoDB accepts (JavaScript's ``g`` and ``y`` mean nothing to it)."""

EJSON_KEYS = frozenset(
    {
        "$oid",
        "$date",
        "$numberLong",
        "$numberInt",
        "$numberDouble",
        "$numberDecimal",
        "$binary",
        "$uuid",
        "$regularExpression",
        "$timestamp",
        "$minKey",
        "$maxKey",
        "$code",
    }
)
"""First keys of the Extended JSON wrappers turned into BSON values (``{"$oid": "..."}``)."""

_EJSON_OPTIONS = json_util.RELAXED_JSON_OPTIONS.with_options(
    tz_aware=True, uuid_representation=UuidRepresentation.STANDARD
)


class ConstructorError(ValueError):
    """A constructor got arguments it cannot turn into a value."""


Constructor = Callable[[Sequence[object]], object]


def _arity(name: str, args: Sequence[object], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        wanted = str(low) if low == high else f"{low} to {high}"
        raise ConstructorError(f"{name}() takes {wanted} argument(s), got {len(args)}")


def _integer(name: str, value: object, low: int, high: int) -> int:
    """An integer from an int, an integral float or a decimal string, within [low, high]."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if number is None:
        raise ConstructorError(f"{name}() needs an integer, got {value!r}")
    if not low <= number <= high:
        raise ConstructorError(f"{name}({number}) is out of range [{low}, {high}]")
    return number


def _object_id(args: Sequence[object]) -> object:
    _arity("ObjectId", args, 0, 1)
    if not args:
        return ObjectId()
    value = args[0]
    if not (isinstance(value, str) and len(value) == 24):
        raise ConstructorError(
            'ObjectId() needs a 24-character hex string, e.g. ObjectId("65f...")'
        )
    try:
        return ObjectId(value)
    except BSONError as exc:
        raise ConstructorError(f"ObjectId(): {value!r} is not hexadecimal") from exc


def parse_iso_date(text: str) -> dt.datetime:
    """A timezone-aware datetime from ISO-8601 text; no zone means UTC (as mongosh's ISODate).

    Raises:
        ConstructorError: the text is not an ISO-8601 date or date-time.
    """
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ConstructorError(
            f'{text!r} is not an ISO-8601 date; write e.g. ISODate("2024-05-01T12:00:00Z")'
        ) from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _date(args: Sequence[object]) -> object:
    _arity("Date", args, 0, 1)
    if not args:
        return dt.datetime.now(dt.UTC)
    value = args[0]
    if isinstance(value, str):
        return parse_iso_date(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value / 1000, dt.UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ConstructorError(f"Date({value}) is out of range") from exc
    raise ConstructorError("Date() needs an ISO-8601 string or milliseconds since 1970")


def _number_long(args: Sequence[object]) -> object:
    _arity("NumberLong", args, 1, 1)
    return Int64(_integer("NumberLong", args[0], INT64_MIN, INT64_MAX))


def _number_int(args: Sequence[object]) -> object:
    _arity("NumberInt", args, 1, 1)
    return _integer("NumberInt", args[0], INT32_MIN, INT32_MAX)


def _double(args: Sequence[object]) -> object:
    _arity("Double", args, 1, 1)
    value = args[0]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConstructorError(f"Double() needs a number, got {value!r}")
    try:
        return float(value)
    except ValueError as exc:
        raise ConstructorError(f"Double(): {value!r} is not a number") from exc


def _number_decimal(args: Sequence[object]) -> object:
    _arity("NumberDecimal", args, 1, 1)
    value = args[0]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConstructorError(f'NumberDecimal() needs a string such as "12.50", got {value!r}')
    try:
        return Decimal128(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError) as exc:
        raise ConstructorError(f"NumberDecimal(): {value!r} is not a decimal number") from exc


def _uuid(args: Sequence[object]) -> object:
    _arity("UUID", args, 0, 1)
    if not args:
        return Binary.from_uuid(uuid.uuid4())
    if not isinstance(args[0], str):
        raise ConstructorError('UUID() needs a string, e.g. UUID("0e3c...-...")')
    try:
        return Binary.from_uuid(uuid.UUID(args[0]))
    except ValueError as exc:
        raise ConstructorError(f"UUID(): {args[0]!r} is not a UUID") from exc


def _timestamp(args: Sequence[object]) -> object:
    _arity("Timestamp", args, 1, 2)
    if len(args) == 1:
        spec = args[0]
        if not (isinstance(spec, Mapping) and set(spec) == {"t", "i"}):
            raise ConstructorError("Timestamp() takes (seconds, increment) or {t: ..., i: ...}")
        args = [spec["t"], spec["i"]]
    seconds = _integer("Timestamp", args[0], 0, 2**32 - 1)
    increment = _integer("Timestamp", args[1], 0, 2**32 - 1)
    return Timestamp(seconds, increment)


def regex(pattern: object, flags: object) -> Regex[str]:
    """A BSON regular expression, checking the flags.

    Raises:
        ConstructorError: the pattern is not a string or a flag is unknown or repeated.
    """
    if not isinstance(pattern, str) or not isinstance(flags, str):
        raise ConstructorError('RegExp() needs a pattern string and optional flags, e.g. "i"')
    for flag in flags:
        if flag not in REGEX_FLAGS:
            raise ConstructorError(
                f"unknown regular-expression flag {flag!r} (MongoDB accepts imsxu)"
            )
    if len(set(flags)) != len(flags):
        raise ConstructorError(f"repeated regular-expression flag in {flags!r}")
    return Regex(pattern, "".join(sorted(flags)))


def _regexp(args: Sequence[object]) -> object:
    _arity("RegExp", args, 1, 2)
    return regex(args[0], args[1] if len(args) > 1 else "")


def _min_key(args: Sequence[object]) -> object:
    _arity("MinKey", args, 0, 0)
    return MinKey()


def _max_key(args: Sequence[object]) -> object:
    _arity("MaxKey", args, 0, 0)
    return MaxKey()


def _bin_data(args: Sequence[object]) -> object:
    _arity("BinData", args, 2, 2)
    subtype = _integer("BinData", args[0], 0, 255)
    if not isinstance(args[1], str):
        raise ConstructorError('BinData() takes (subtype, "base64 text")')
    try:
        data = base64.b64decode(args[1], validate=True)
    except binascii.Error as exc:
        raise ConstructorError(f"BinData(): {args[1]!r} is not base64") from exc
    return Binary(data, subtype)


def _hex_data(args: Sequence[object]) -> object:
    _arity("HexData", args, 2, 2)
    subtype = _integer("HexData", args[0], 0, 255)
    if not isinstance(args[1], str):
        raise ConstructorError('HexData() takes (subtype, "hex text")')
    try:
        return Binary(bytes.fromhex(args[1]), subtype)
    except ValueError as exc:
        raise ConstructorError(f"HexData(): {args[1]!r} is not hexadecimal") from exc


CONSTRUCTORS: dict[str, Constructor] = {
    "ObjectId": _object_id,
    "ISODate": _date,
    "Date": _date,
    "NumberLong": _number_long,
    "Long": _number_long,
    "NumberInt": _number_int,
    "Int32": _number_int,
    "Double": _double,
    "NumberDecimal": _number_decimal,
    "Decimal128": _number_decimal,
    "UUID": _uuid,
    "Timestamp": _timestamp,
    "RegExp": _regexp,
    "MinKey": _min_key,
    "MaxKey": _max_key,
    "BinData": _bin_data,
    "HexData": _hex_data,
}
"""Name -> builder; the only callable names the parser accepts."""

BARE_CONSTANTS = frozenset({"MinKey", "MaxKey"})
"""Constructors that may also be written without parentheses."""


def ejson_value(obj: dict[str, object]) -> object:
    """Turn an Extended JSON wrapper (``{"$oid": "..."}``) into its BSON value.

    Any other object is returned unchanged, so query operators such as
    ``{"$gt": 1}`` pass through.

    Raises:
        ConstructorError: the wrapper is malformed (``{"$oid": "zz"}``).
    """
    if not obj or next(iter(obj)) not in EJSON_KEYS:
        return obj
    try:
        return json_util.object_hook(obj, _EJSON_OPTIONS)
    except (BSONError, ValueError, TypeError, KeyError, OverflowError) as exc:
        raise ConstructorError(f"invalid Extended JSON {next(iter(obj))}: {exc}") from exc
