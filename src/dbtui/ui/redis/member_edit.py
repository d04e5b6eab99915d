"""Editing one field, element or member from the value pane: ``e`` change, ``a`` add, ``x`` remove.

:class:`MemberActions` sits between
:class:`~dbtui.ui.redis.actions.KeyActions` and the rest of the browser
screen. Each action opens a small form (or, to remove, a confirmation),
then runs :func:`dbtui.ui.redis.member_ops.apply_edit` in a thread worker;
the value pane is read again afterwards, keeping its filter and cursor row.
On a read-only connection the refusal is a notification and nothing opens.
"""

from __future__ import annotations

from functools import partial

from dbtui.core.keytree import format_key, parse_key
from dbtui.drivers.redis.commands import split_command_line
from dbtui.ui.redis import jobs
from dbtui.ui.redis.actions import KeyActions
from dbtui.ui.redis.dialogs import FormDialog, FormField
from dbtui.ui.redis.formatting import printable
from dbtui.ui.redis.member_ops import ADDABLE, EDITABLE, REMOVABLE, MemberEdit
from dbtui.ui.redis.messages import MemberChanged
from dbtui.ui.redis.pages import Cell
from dbtui.ui.screens.dialogs import ConfirmScreen

NOUNS = {"hash": "field", "list": "element", "set": "member", "zset": "member", "stream": "entry"}


def _bytes(cell: Cell) -> bytes:
    return cell if isinstance(cell, bytes) else str(cell).encode()


def _score(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError(f"the score must be a number (or inf, -inf), not {text!r}") from None


def edit_form(key: bytes, kind: str, row: tuple[Cell, ...]) -> FormDialog:
    """The form that changes one row of a hash, list, set or sorted set."""
    name, where = _bytes(row[0]), format_key(key)
    if kind == "zset":
        score = row[1] if isinstance(row[1], float | int) else 0.0
        title = f"Score of {format_key(name)} in {where}"
        field = FormField("score", "Score", repr(float(score)))
    else:
        title = {
            "hash": f"Field {format_key(name)} of {where}",
            "list": f"Element #{_bytes(row[0]).decode()} of {where}",
            "set": f"Member of {where}",
        }[kind]
        label = {"hash": "Value", "list": "Element", "set": "Member (replaces it)"}[kind]
        field = FormField("value", label, format_key(_bytes(row[-1])))

    def build(answers: dict[str, str]) -> MemberEdit:
        if kind == "zset":
            return MemberEdit("set", kind, key, name=name, score=_score(answers["score"]))
        value = parse_key(answers["value"])
        if kind == "set" and value == name:
            raise ValueError("Type a different member (Esc cancels).")
        index = row[0] if kind == "list" and isinstance(row[0], int) else 0
        return MemberEdit(
            "set", kind, key, name=name, index=index, old=_bytes(row[-1]), value=value
        )

    return FormDialog(title, [field], build)


def add_form(key: bytes, kind: str) -> FormDialog:
    """The form that adds a field, element, member or stream entry."""
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
            words = split_command_line(answers["fields"])
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
        return MemberEdit("remove", kind, key, index=index, old=_bytes(row[1]))
    return MemberEdit("remove", kind, key, name=_bytes(row[0]))


class MemberActions(KeyActions):
    """Value pane edits of the browser screen."""

    def _shown(self, writing: str) -> tuple[bytes, str, tuple[Cell, ...] | None] | None:
        """The shown key, its type and highlighted row, if it can be written to; else notify."""
        viewer = self.viewer
        if viewer.key is None or viewer.first is None:
            self.notify("Open a key first.", severity="warning")
            return None
        kind = viewer.first.type
        if kind not in ADDABLE:
            self.notify(f"A {kind} has no fields or elements to edit.", severity="warning")
            return None
        if not self.writable(writing):
            return None
        table = viewer.query_one("#vv-table")
        row = viewer.row_cells(getattr(table, "cursor_row", -1))
        return viewer.key, kind, row

    def _row(
        self, writing: str, kinds: tuple[str, ...] = EDITABLE
    ) -> tuple[bytes, str, tuple[Cell, ...]] | None:
        shown = self._shown(writing)
        if shown is None:
            return None
        key, kind, row = shown
        if kind not in kinds:
            self.notify(
                "Stream entries are added (a) and removed (x), not changed.", severity="warning"
            )
            return None
        if row is None:
            self.notify("Highlight a row first.", severity="warning")
            return None
        return key, kind, row

    def action_edit_member(self) -> None:
        """Change the highlighted row's value, element, member or score."""
        picked = self._row("Changing an element")
        if picked is not None:
            self.app.push_screen(edit_form(*picked), self._apply)

    def action_add_member(self) -> None:
        """Add a field, element, member or stream entry to the shown key."""
        shown = self._shown("Adding an element")
        if shown is not None:
            self.app.push_screen(add_form(shown[0], shown[1]), self._apply)

    def action_remove_member(self) -> None:
        """Remove the highlighted field, element, member or stream entry after a confirmation."""
        picked = self._row("Removing an element", REMOVABLE)
        if picked is None:
            return
        key, kind, row = picked
        edit = remove_edit(key, kind, row)
        what = f"#{_bytes(row[0]).decode()}" if kind == "list" else format_key(_bytes(row[0]))
        detail = printable(_bytes(row[-1]))[:300] if kind in ("hash", "list", "stream") else ""
        self.app.push_screen(
            ConfirmScreen(f"Remove {NOUNS[kind]} {what} from {format_key(key)}?", detail),
            lambda ok: self._apply(edit) if ok else None,
        )

    def _apply(self, edit: MemberEdit | None) -> None:
        if edit is not None:
            job = partial(jobs.edit_member, self.post_message, self.keyspace, edit)
            self._write(job, f"{edit.op} {NOUNS.get(edit.type, 'element')}")

    def on_member_changed(self, event: MemberChanged) -> None:
        """Report the edit and read the value (and the key's facts) again."""
        if event.error is not None:
            self.notify(event.error.one_line(), severity="error", timeout=6)
            return
        self.notify(f"{format_key(event.key)}: {event.summary}")
        self.infos.pop(event.key, None)
        if self.viewer.key == event.key:
            self.viewer.refresh_value()
