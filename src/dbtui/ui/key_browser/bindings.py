"""Keys of the Redis key browser that work wherever the focus is on its screen.

Each one names the part of the screen that handles it (ids ``redis.<action>``, each with
a tooltip): the screen routes the key to that widget's ``action_<action>``, so the
handler lives in the widget it acts on:

* ``#rb-filters``: :class:`~dbtui.ui.key_browser.key_filter.KeyFilter` (``key_filter.py``),
* ``#rb-keys``: :class:`~dbtui.ui.key_browser.key_list.KeyList` (``key_list.py``),
* ``#rb-body``: :class:`~dbtui.ui.key_browser.key_panes.KeyPanes`, actions on one key (``key_panes.py``),
* ``#rb-value``: :class:`~dbtui.ui.key_browser.value_view.ValueViewer` (``value_view.py``),
* the screen itself (``screen.py``): back, memory view, pub/sub, help.

Keys of one widget only (folder arrows, the value table's e/a/x) are in that widget's
``BINDINGS``.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

FILTER = "rb-filters"
KEYS = "rb-keys"
PANES = "rb-body"
VALUE = "rb-value"
SCREEN = ""
"""Handled by the screen itself."""


def routed_action(target: str, action: str) -> str:
    """The screen action that runs ``action`` on the widget ``#target`` (or on the screen)."""
    return f"route('{target}', '{action}')" if target else action


def _binding(
    key: str,
    target: str,
    action: str,
    text: str,
    tip: str,
    *,
    show: bool = True,
    priority: bool = False,
) -> Binding:
    return Binding(
        key,
        routed_action(target, action),
        text,
        show=show,
        id=f"redis.{action}",
        tooltip=tip,
        priority=priority,
    )


#: What the footer shows at 80 columns: the everyday keys; F1 lists them all.
BROWSER_BINDINGS: list[BindingType] = [
    _binding("escape", SCREEN, "back", "Back", "To the key tree; from the tree, leave the browser"),
    # Priority: keys typed right after "/" must already reach the filter (the screen
    # disables it while an input has the focus, so "/" can be typed in patterns).
    _binding(
        "slash",
        FILTER,
        "focus_filter",
        "Filter",
        "Type a glob pattern or an exact key name",
        priority=True,
    ),
    _binding("f", KEYS, "toggle_flat", "Flat", "Show a flat list or folders"),
    _binding("s", KEYS, "toggle_scan", "Pause/resume", "Pause or resume the key scan", show=False),
    _binding("r", KEYS, "refresh", "Refresh", "Scan again and reload the value", show=False),
    _binding("t", PANES, "ttl", "TTL", "Set or remove the TTL of the key (persist removes it)"),
    _binding(
        "R", PANES, "rename", "Rename", "Rename the key (asks before replacing one)", show=False
    ),
    _binding("d", PANES, "delete", "Delete", "Delete the key (asks first)"),
    _binding(
        "D",
        PANES,
        "bulk_delete",
        "Bulk delete",
        "Delete every key matching the filter",
        show=False,
    ),
    _binding("y", PANES, "copy_key", "Copy", "Copy the key name to the clipboard"),
    _binding("Y", VALUE, "copy_value", "Copy value", "Copy the value (or the row)", show=False),
    _binding("m", VALUE, "more", "More", "Load the next page of the value", show=False),
    _binding(
        "v",
        VALUE,
        "view_mode",
        "View",
        "Show a string as text, JSON, hex, MessagePack, gzip or zlib",
        show=False,
    ),
    # In the value table, e edits the highlighted row instead (its own binding).
    _binding(
        "e",
        VALUE,
        "edit_value",
        "Edit",
        "Edit a string value (TTL kept); a list or stream: read it from the other end",
        show=False,
    ),
    _binding(
        "E",
        VALUE,
        "other_end",
        "Other end",
        "Read a list or stream from the other end",
        show=False,
    ),
    _binding(
        "g",
        VALUE,
        "jump",
        "Jump",
        "Read a list from an index, a sorted set from a rank, a stream from an ID",
        show=False,
    ),
    _binding(
        "M", SCREEN, "memory", "Memory", "Biggest keys and namespaces, memory advice", show=False
    ),
    _binding(
        "o",
        KEYS,
        "cycle_sort",
        "Sort",
        "Order the loaded keys by name, type, TTL or memory (not the whole keyspace)",
        show=False,
    ),
    _binding(
        "P",
        SCREEN,
        "pubsub",
        "Pub/sub",
        "Pub/sub monitor: listen to channels or patterns and see messages live",
        show=False,
    ),
    _binding("f1", SCREEN, "help", "Help", "Show every key of this screen"),
]


def _live(
    key: str, action: str, text: str, tip: str, *, show: bool = True, priority: bool = False
) -> Binding:
    return Binding(
        key, action, text, show=show, id=f"redis.live.{action}", tooltip=tip, priority=priority
    )


#: Keys of the live pane (MONITOR, SUBSCRIBE..., XREAD BLOCK).
LIVE_BINDINGS: list[BindingType] = [
    _live("escape", "stop", "Stop", "Stop listening and close the pane (closes its connection)"),
    # Priority, as in the browser: the screen disables it while the filter has the focus.
    _live(
        "slash", "focus_filter", "Filter", "Show only the lines containing a text", priority=True
    ),
    _live("p", "pause", "Pause", "Freeze the view; messages are still received and counted"),
    _live("c", "clear", "Clear", "Forget the lines received so far"),
    _live("r", "restart", "Restart", "Listen again after the pane stopped", show=False),
    _live("f1", "help", "Help", "Show the keys of this pane"),
]
