"""The Details tab: facts about the object highlighted in the catalog, loaded after a pause."""

from __future__ import annotations

from functools import partial

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widgets import Static, TabPane

from dbtui.core.catalog import CatalogNode
from dbtui.core.display import display_text
from dbtui.core.driver import Driver
from dbtui.ui import jobs
from dbtui.ui.messages import DetailsLoaded
from dbtui.ui.safe import safe_text

#: Seconds the catalog cursor must rest on a node before its details are loaded.
DETAILS_DELAY = 0.15


class DetailsTab(TabPane):
    """Shows :class:`DetailsLoaded` facts; :meth:`follow` loads them, debounced."""

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(title, id=id)
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield VerticalScroll(Static("Highlight a catalog object.", id="details"))

    def follow(self, driver: Driver, node: CatalogNode) -> None:
        """Load ``node``'s facts once the cursor rests on it for :data:`DETAILS_DELAY`.

        Debounced: holding an arrow key must not queue one catalog query per row.
        """
        if self._timer is not None:
            self._timer.stop()
        job = partial(jobs.load_details, self.post_message, driver, node)
        load = partial(
            self.run_worker,
            job,
            thread=True,
            group="details",
            description="load details",
            exit_on_error=False,
        )
        self._timer = self.set_timer(DETAILS_DELAY, load)

    def on_details_loaded(self, event: DetailsLoaded) -> None:
        """Show the highlighted object's facts."""
        text = safe_text(event.title + "\n", style="bold")
        for name, value in event.facts:
            text.append(f"{display_text(name)}: ", style="cyan")
            text.append(f"{display_text(value, multiline=True)}\n")
        self.query_one("#details", Static).update(text)
