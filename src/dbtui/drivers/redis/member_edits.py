"""Performing one field, element or member edit (a :class:`MemberEdit`) with :mod:`.edits`.

Blocking: call it from a thread worker.
"""

from __future__ import annotations

from dbtui.core.errors import QueryError
from dbtui.core.key_values import MemberEdit
from dbtui.core.keytree import format_key
from dbtui.drivers.redis import edits
from dbtui.drivers.redis.connection import Keyspace


def apply_edit(keyspace: Keyspace, edit: MemberEdit) -> str:
    """Perform ``edit``; returns what happened, in words, for a notification.

    Raises:
        ReadOnlyError: the connection is read-only (nothing sent).
        QueryError: the server refused it, the element changed since it was
            shown, or an "add" names an element that exists already.
    """
    handlers = {"hash": _hash, "list": _list, "set": _set, "zset": _zset, "stream": _stream}
    handler = handlers.get(edit.type)
    if handler is None:
        raise QueryError(f"a {edit.type} value has no elements to edit here", "Not editable")
    return handler(keyspace, edit)


def _hash(keyspace: Keyspace, edit: MemberEdit) -> str:
    field = format_key(edit.name)
    if edit.op == "remove":
        gone = edits.delete_hash_field(keyspace, edit.key, edit.name)
        return f"field {field} removed" if gone else f"field {field} was already gone"
    if edit.op == "add":
        if not edits.add_hash_field(keyspace, edit.key, edit.name, edit.value):
            raise QueryError(f"field {field} exists already: e edits it", "Field exists")
        return f"field {field} added"
    edits.set_hash_field(keyspace, edit.key, edit.name, edit.value)
    return f"field {field} set"


def _list(keyspace: Keyspace, edit: MemberEdit) -> str:
    if edit.op == "remove":
        edits.remove_list_element(keyspace, edit.key, edit.index, edit.old)
        return f"element #{edit.index} removed"
    if edit.op == "add":
        length = edits.push_list(keyspace, edit.key, edit.value, head=edit.head)
        return f"element added at the {'head' if edit.head else 'tail'} ({length:,} now)"
    edits.replace_list_element(keyspace, edit.key, edit.index, edit.old, edit.value)
    return f"element #{edit.index} set"


def _set(keyspace: Keyspace, edit: MemberEdit) -> str:
    member = format_key(edit.name)
    if edit.op == "remove":
        gone = edits.remove_set_member(keyspace, edit.key, edit.name)
        return f"member {member} removed" if gone else f"member {member} was already gone"
    if edit.op == "add":
        added = edits.add_set_member(keyspace, edit.key, edit.value)
        new = format_key(edit.value)
        return f"member {new} added" if added else f"{new} was already a member"
    edits.replace_set_member(keyspace, edit.key, edit.name, edit.value)
    return f"member {member} replaced by {format_key(edit.value)}"


def _zset(keyspace: Keyspace, edit: MemberEdit) -> str:
    member = format_key(edit.name)
    if edit.op == "remove":
        gone = edits.remove_zset_member(keyspace, edit.key, edit.name)
        return f"member {member} removed" if gone else f"member {member} was already gone"
    if edit.op == "add":
        if not edits.add_zset_member(keyspace, edit.key, edit.name, edit.score):
            raise QueryError(f"{member} is a member already: e changes its score", "Member exists")
        return f"member {member} added with score {edit.score:g}"
    if not edits.change_zset_score(keyspace, edit.key, edit.name, edit.score):
        return f"score of {member} unchanged (same score, or the member is gone)"
    return f"score of {member} set to {edit.score:g}"


def _stream(keyspace: Keyspace, edit: MemberEdit) -> str:
    if edit.op == "remove":
        entry = edit.name.decode("ascii", "replace")
        gone = edits.delete_stream_entry(keyspace, edit.key, edit.name)
        return f"entry {entry} removed" if gone else f"entry {entry} was already gone"
    if edit.op != "add":
        raise QueryError("stream entries are added and removed, not changed", "Not editable")
    entry_id = edits.add_stream_entry(keyspace, edit.key, edit.fields)
    return f"entry {entry_id.decode('ascii', 'replace')} added"
