"""A safe parser for mongosh-style relaxed values (never evaluates code).

Accepted, exactly as mongosh users type them:

* objects with quoted or unquoted keys (``{age: {$gt: 30}}``, ``{"a.b": 1}``,
  ``{a.b: 1}``), arrays, trailing commas;
* strings in single or double quotes with JavaScript escapes (``\\n``,
  ``\\u00e9``, ``\\u{1F600}``, ``\\x41``);
* numbers: integers, decimals, exponents, negatives, hex, ``NaN``,
  ``Infinity``; an integer beyond 64 bits becomes a float, as in JavaScript;
* ``true``, ``false``, ``null``;
* ``/pattern/flags`` and the constructors of :mod:`.constructors`
  (``ObjectId("...")``, ``ISODate("...")``, ``new Date(...)``...);
* Extended JSON wrappers (``{"$oid": "..."}``), so exported JSON pastes back;
* ``//`` and ``/* */`` comments.

Anything else (identifiers such as ``this``, function calls such as
``eval(...)``, ``function () {}``, arrow functions, template strings) raises
:class:`MongoSyntaxError` with the 0-based position of the offending text.
Strings are only ever strings: a ``$where: "..."`` value is data for the
server, which decides what to do with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dbtui.core.errors import QueryError
from dbtui.drivers.mongo.constructors import (
    BARE_CONSTANTS,
    CONSTRUCTORS,
    ConstructorError,
    ejson_value,
)
from dbtui.drivers.mongo.literals import LiteralError, read_number, read_regex, read_string

MAX_DEPTH = 100
"""Deepest nesting of objects and arrays accepted (deeper input is refused, not recursed)."""

_WORD = re.compile(r"[^\W\d][\w$]*|\$[\w$]*")
_KEY = re.compile(r"[\w$]+(?:\.[\w$]+)*")
_CODE_WORDS = {
    "function": "functions are not allowed: dbtui parses values, it never runs code",
    "this": "'this' is not allowed: dbtui parses values, it never runs code",
    "async": "functions are not allowed: dbtui parses values, it never runs code",
    "class": "classes are not allowed: dbtui parses values, it never runs code",
}
VALUE_HINT = (
    "Values are strings, numbers, true/false/null, {objects}, [arrays], /regex/, "
    'or ObjectId("..."), ISODate("..."), NumberLong(..), NumberInt(..), NumberDecimal(".."), '
    'UUID("..."), Timestamp(t, i), RegExp(".."), MinKey(), MaxKey(), BinData(sub, "base64")'
)


def _line_col(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of ``position`` in ``text``."""
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def pointer(text: str, position: int) -> str:
    """The line holding ``position`` and a caret under it (long lines are cut around it)."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    line = text[start : end if end >= 0 else len(text)]
    column = position - start
    cut = max(0, column - 60)
    return line[cut : cut + 100] + "\n" + " " * (column - cut) + "^"


class MongoSyntaxError(QueryError):
    """Input that is not valid relaxed mongosh syntax (or would need code to run).

    Attributes:
        reason: The message without the line/column suffix.
        position: 0-based offset of the problem in ``statement``.
        detail: The offending line with a caret under the position.
    """

    default_title = "Syntax error"

    def __init__(
        self, reason: str, *, statement: str, position: int, hint: str | None = None
    ) -> None:
        position = max(0, min(position, len(statement)))
        line, column = _line_col(statement, position)
        super().__init__(
            f"{reason} (line {line}, column {column})",
            statement=statement,
            position=position,
            detail=pointer(statement, position),
            hint=hint,
        )
        self.reason = reason


class ValueParser:
    """Recursive-descent reader over ``text`` starting at ``pos``.

    The command parser drives it directly (``word``, ``eat``, ``value``,
    ``arguments``); :func:`parse_value` is the one-shot form.
    """

    def __init__(self, text: str, pos: int = 0) -> None:
        self.text = text
        self.pos = pos

    def error(
        self, reason: str, position: int | None = None, hint: str | None = None
    ) -> MongoSyntaxError:
        """A :class:`MongoSyntaxError` at ``position`` (default: the current position)."""
        where = self.pos if position is None else position
        return MongoSyntaxError(reason, statement=self.text, position=where, hint=hint)

    def skip_space(self) -> None:
        """Move past whitespace and comments."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char.isspace():
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unterminated comment: '/*' is never closed")
                self.pos = end + 2
            else:
                return

    def peek(self) -> str:
        """The next significant character, or ``""`` at the end."""
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def at_end(self) -> bool:
        """True when only whitespace and comments remain."""
        return self.peek() == ""

    def eat(self, char: str) -> bool:
        """Consume ``char`` if it comes next."""
        if self.peek() == char:
            self.pos += 1
            return True
        return False

    def expect(self, char: str, context: str) -> None:
        """Consume ``char`` or raise an error naming what was expected and where."""
        if not self.eat(char):
            found = self.describe_here()
            raise self.error(f"expected '{char}' {context}, found {found}")

    def word(self) -> str | None:
        """Consume and return an identifier, or ``None`` if none comes next."""
        self.skip_space()
        match = _WORD.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group()

    def describe_here(self) -> str:
        char = self.peek()
        if not char:
            return "the end of the input"
        match = _WORD.match(self.text, self.pos)
        return f"'{match.group()}'" if match else repr(char)

    def value(self, depth: int = 0) -> object:
        """Parse one value and return it as a BSON-ready Python object."""
        if depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep")
        char = self.peek()
        if char == "{":
            return self._object(depth)
        if char == "[":
            return self._array(depth)
        if char in ("'", '"'):
            return self.string()
        if char == "/":
            return self._regex()
        if char == "-" or char == "." or char.isdigit():
            return self._number()
        if char == "`":
            raise self.error("template strings (backticks) are not allowed; use '...' or \"...\"")
        if char and _WORD.match(self.text, self.pos):
            return self._word_value(depth)
        if not char:
            raise self.error("unexpected end of input: a value was expected", hint=VALUE_HINT)
        raise self.error(f"unexpected {char!r}: a value was expected", hint=VALUE_HINT)

    def arguments(self, depth: int = 0) -> list[object]:
        """Parse ``( value, ... )`` (trailing comma allowed) and return the values."""
        self.expect("(", "to start the arguments")
        values: list[object] = []
        while not self.eat(")"):
            if not self.peek():
                raise self.error("unterminated argument list: ')' is missing")
            values.append(self.value(depth + 1))
            if not self.eat(","):
                self.expect(")", "after an argument")
                break
        return values

    def _object(self, depth: int) -> object:
        start = self.pos
        self.pos += 1
        result: dict[str, object] = {}
        while not self.eat("}"):
            if not self.peek():
                raise self.error(
                    f"unterminated object: the '{{' at position {start} is never closed"
                )
            key = self._key()
            self.expect(":", f"after the key {key!r}")
            result[key] = self.value(depth + 1)
            if not self.eat(","):
                self.expect("}", f"after the value of {key!r} (a ',' or '}}')")
                break
        try:
            return ejson_value(result)
        except ConstructorError as exc:
            raise self.error(str(exc), start) from exc

    def _key(self) -> str:
        char = self.peek()
        if char in ("'", '"'):
            return self.string()
        match = _KEY.match(self.text, self.pos)
        if match is None:
            raise self.error(f"expected a key (a name or a quoted string), found {char!r}")
        self.pos = match.end()
        return match.group()

    def _array(self, depth: int) -> list[object]:
        start = self.pos
        self.pos += 1
        items: list[object] = []
        while not self.eat("]"):
            if not self.peek():
                raise self.error(f"unterminated array: the '[' at position {start} is never closed")
            items.append(self.value(depth + 1))
            if not self.eat(","):
                self.expect("]", "after an array element (a ',' or ']')")
                break
        return items

    def string(self) -> str:
        """Parse a quoted string at the current position (after :meth:`peek`)."""
        value = self._literal(read_string)
        assert isinstance(value, str)
        return value

    def _number(self) -> object:
        return self._literal(read_number)

    def _regex(self) -> object:
        return self._literal(read_regex)

    def _literal(self, reader: Callable[[str, int], tuple[object, int]]) -> object:
        try:
            value, self.pos = reader(self.text, self.pos)
        except LiteralError as exc:
            raise self.error(exc.reason, exc.position) from exc
        return value

    def _word_value(self, depth: int) -> object:
        start = self.pos
        name = self.word() or ""
        literals: dict[str, object] = {
            "true": True,
            "false": False,
            "null": None,
            "NaN": float("nan"),
            "Infinity": float("inf"),
        }
        if name in literals:
            return literals[name]
        if name == "new":
            self.skip_space()
            start = self.pos
            name = self.word() or ""
            if name not in CONSTRUCTORS:
                raise self.error(f"'new {name}' is not allowed", start, hint=VALUE_HINT)
        return self._call(name, start, depth)

    def _call(self, name: str, start: int, depth: int) -> object:
        if name in _CODE_WORDS:
            raise self.error(_CODE_WORDS[name], start)
        if name not in CONSTRUCTORS:
            if self.peek() == "(":
                reason = f"calling {name}() is not allowed: dbtui never runs code"
            else:
                reason = f"'{name}' is not a value (unquoted text must be a key, true/false/null or a constructor)"
            raise self.error(reason, start, hint=VALUE_HINT)
        if self.peek() != "(" and name in BARE_CONSTANTS:
            return CONSTRUCTORS[name](())
        if self.peek() != "(":
            raise self.error(f"expected '(' after {name}", hint=VALUE_HINT)
        args = self.arguments(depth)
        try:
            return CONSTRUCTORS[name](args)
        except ConstructorError as exc:
            raise self.error(str(exc), start) from exc


def parse_value(text: str) -> object:
    """Parse ``text`` as exactly one relaxed value.

    Raises:
        MongoSyntaxError: the text is not one valid value (with the position).
    """
    parser = ValueParser(text)
    value = parser.value()
    if not parser.at_end():
        raise parser.error(f"unexpected {parser.describe_here()} after the value")
    return value


def parse_document(text: str) -> dict[str, object]:
    """Parse ``text`` as one relaxed object (a filter, a document, an index spec).

    Raises:
        MongoSyntaxError: not valid, or valid but not an object.
    """
    parser = ValueParser(text)
    if parser.peek() != "{":
        raise parser.error(f"expected a document '{{...}}', found {parser.describe_here()}")
    value = parse_value(text)
    if not isinstance(value, dict):
        raise parser.error("expected a document '{...}', found an Extended JSON value")
    return value
