"""Command palette entries of the Redis key browser (Ctrl+P while it is open)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from dbtui.ui.key_browser.bindings import KEYS, PANES, SCREEN, routed_action


@dataclass(frozen=True)
class PaletteEntry:
    """One palette command: what it says and the screen action it runs.

    Attributes:
        title: What the palette lists and matches against.
        help: One line under the title (ends with the key that does the same).
        action: The browser screen's action string (routed to the widget that handles it).
    """

    title: str
    help: str
    action: str


BROWSER_PALETTE = (
    PaletteEntry(
        "Pub/sub monitor",
        "Listen to channels or patterns, messages shown live (P)",
        routed_action(SCREEN, "pubsub"),
    ),
    PaletteEntry(
        "Sort keys by name, type, TTL or memory",
        "Next order, for the loaded keys (o)",
        routed_action(KEYS, "cycle_sort"),
    ),
    PaletteEntry(
        "Memory view",
        "Biggest keys and namespaces, memory advice (M)",
        routed_action(SCREEN, "memory"),
    ),
    PaletteEntry(
        "Bulk delete by pattern",
        "Count, confirm, then UNLINK in batches (D)",
        routed_action(PANES, "bulk_delete"),
    ),
    PaletteEntry(
        "Flat list or folders",
        "Switch the key list's layout (f)",
        routed_action(KEYS, "toggle_flat"),
    ),
    PaletteEntry(
        "Scan again",
        "Forget the keys and scan with the same filter (r)",
        routed_action(KEYS, "refresh"),
    ),
)


class BrowserCommands(Provider):
    """Offers :data:`BROWSER_PALETTE` on the browser screen."""

    async def discover(self) -> Hits:
        """Every entry, for the empty palette."""
        for entry in BROWSER_PALETTE:
            yield DiscoveryHit(
                entry.title, partial(self.screen.run_action, entry.action), entry.help
            )

    async def search(self, query: str) -> Hits:
        """Entries whose title matches what was typed, best first."""
        matcher = self.matcher(query)
        for entry in BROWSER_PALETTE:
            score = matcher.match(entry.title)
            if score > 0:
                command = partial(self.screen.run_action, entry.action)
                yield Hit(score, matcher.highlight(entry.title), command, help=entry.help)
