"""The forms of the value table's edits (``e`` change, ``a`` add, ``x`` remove one row).

Pure builders: each returns a :class:`~dbtui.ui.key_browser.dialogs.FormDialog` (or, to
remove, the :class:`~dbtui.core.key_values.MemberEdit` itself) for
:class:`~dbtui.ui.key_browser.value_table.ValueTable`, which asks and runs the edit.
"""

from __future__ import annotations

from collections.abc import Callable

from dbtui.core.key_values import Cell, MemberEdit
from dbtui.core.keytree import format_key, parse_key
from dbtui.ui.key_browser.dialogs import FormDialog, FormField

NOUNS = {"hash": "field", "list": "element", "set": "member", "zset": "member", "stream": "entry"}


def cell_bytes(cell: Cell) -> bytes:
    """A cell as bytes (numbers as their text)."""
    return cell if isinstance(cell, bytes) else str(cell).encode()


def _score(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError(f"the score must be a number (or inf, -inf), not {text!r}") from None


def edit_form(key: bytes, kind: str, row: tuple[Cell, ...]) -> FormDialog:
    """The form that changes one row of a hash, list, set or sorted set."""
    name, where = cell_bytes(row[0]), format_key(key)
    if kind == "zset":
        score = row[1] if isinstance(row[1], float | int) else 0.0
        title = f"Score of {format_key(name)} in {where}"
        field = FormField("score", "Score", repr(float(score)))
    else:
        title = {
            "hash": f"Field {format_key(name)} of {where}",
            "list": f"Element #{cell_bytes(row[0]).decode()} of {where}",
            "set": f"Member of {where}",
        }[kind]
        label = {"hash": "Value", "list": "Element", "set": "Member (replaces it)"}[kind]
        field = FormField("value", label, format_key(cell_bytes(row[-1])))

    def build(answers: dict[str, str]) -> MemberEdit:
        if kind == "zset":
            return MemberEdit("set", kind, key, name=name, score=_score(answers["score"]))
        value = parse_key(answers["value"])
        if kind == "set" and value == name:
            raise ValueError("Type a different member (Esc cancels).")
        index = row[0] if kind == "list" and isinstance(row[0], int) else 0
        return MemberEdit(
            "set", kind, key, name=name, index=index, old=cell_bytes(row[-1]), value=value
        )

    return FormDialog(title, [field], build)


def add_form(key: bytes, kind: str, split_words: Callable[[str], list[bytes]]) -> FormDialog:
    """The form that adds a field, element, member or stream entry.

    ``split_words`` splits a stream entry's line the way the engine's own client quotes.
    """
    title = f"Add a {NOUNS[kind]} to {format_key(key)}"
    fields = {
        "hash": [FormField("name", "Field"), FormField("value", "Value")],
        "list": [
            FormField("value", "Element"),
            FormField("head", "At the head (LPUSH)", flag=True),
        ],
        "set": [FormField("value", "Member")],
        "zset": [FormField("name", "Member"), FormField("score", "Score", "0")],
        "stream": [FormField("fields", "field value [field value ...] (quotes as in redis-cli)")],
    }[kind]

    def build(answers: dict[str, str]) -> MemberEdit:
        if kind == "stream":
            words = split_words(answers["fields"])
            if not words or len(words) % 2:
                raise ValueError("Type pairs of field and value, e.g. temp 21.5 unit C")
            pairs = tuple(zip(words[::2], words[1::2], strict=True))
            return MemberEdit("add", kind, key, fields=pairs)
        name = parse_key(answers.get("name", ""))
        if kind in ("hash", "zset") and not name:
            raise ValueError(f"Type the {NOUNS[kind]}'s name.")
        score = _score(answers["score"]) if kind == "zset" else 0.0
        value = parse_key(answers.get("value", ""))
        head = bool(answers.get("head"))
        return MemberEdit("add", kind, key, name=name, value=value, score=score, head=head)

    return FormDialog(title, fields, build)


def remove_edit(key: bytes, kind: str, row: tuple[Cell, ...]) -> MemberEdit:
    """The edit that removes one row (a list element by index, checked against its value)."""
    if kind == "list":
        index = row[0] if isinstance(row[0], int) else 0
        return MemberEdit("remove", kind, key, index=index, old=cell_bytes(row[1]))
    return MemberEdit("remove", kind, key, name=cell_bytes(row[0]))
