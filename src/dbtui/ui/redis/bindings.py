"""Key bindings of the Redis key browser (ids ``redis.<action>``, each with a tooltip)."""

from __future__ import annotations

from textual.binding import Binding, BindingType


def _binding(
    key: str, action: str, text: str, tip: str, *, show: bool = True, priority: bool = False
) -> Binding:
    return Binding(
        key, action, text, show=show, id=f"redis.{action}", tooltip=tip, priority=priority
    )


#: What the footer shows at 80 columns: the everyday keys; F1 lists them all.
BROWSER_BINDINGS: list[BindingType] = [
    _binding("escape", "back", "Back", "To the key tree; from the tree, leave the browser"),
    # Priority: keys typed right after "/" must already reach the filter (the screen
    # disables it while an input has the focus, so "/" can be typed in patterns).
    _binding(
        "slash", "focus_filter", "Filter", "Type a glob pattern or an exact key name", priority=True
    ),
    _binding("f", "toggle_flat", "Flat", "Show a flat list or folders"),
    _binding("s", "toggle_scan", "Pause/resume", "Pause or resume the key scan", show=False),
    _binding("r", "refresh", "Refresh", "Scan again and reload the value", show=False),
    _binding("t", "ttl", "TTL", "Set or remove the TTL of the key (persist removes it)"),
    _binding("R", "rename", "Rename", "Rename the key (asks before replacing one)", show=False),
    _binding("d", "delete", "Delete", "Delete the key (asks first)"),
    _binding("D", "bulk_delete", "Bulk delete", "Delete every key matching the filter", show=False),
    _binding("y", "copy_key", "Copy", "Copy the key name to the clipboard"),
    _binding("Y", "copy_value", "Copy value", "Copy the value (or the row)", show=False),
    _binding("m", "more", "More", "Load the next page of the value", show=False),
    _binding("v", "view_mode", "View", "Show a string as text, JSON or hex", show=False),
    # In the value table, e edits the highlighted row instead (its own binding).
    _binding(
        "e",
        "edit_value",
        "Edit",
        "Edit a string value (TTL kept); a list or stream: read it from the other end",
        show=False,
    ),
    _binding("E", "other_end", "Other end", "Read a list or stream from the other end", show=False),
    _binding("M", "memory", "Memory", "Biggest keys and namespaces, memory advice", show=False),
    _binding(
        "o",
        "cycle_sort",
        "Sort",
        "Order the loaded keys by name, type, TTL or memory (not the whole keyspace)",
        show=False,
    ),
    _binding(
        "P",
        "pubsub",
        "Pub/sub",
        "Pub/sub monitor: listen to channels or patterns and see messages live",
        show=False,
    ),
    _binding("f1", "help", "Help", "Show every key of this screen"),
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
