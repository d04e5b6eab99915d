"""Browser actions about the view rather than the data: key order (``o``) and pub/sub (``P``).

:class:`ViewActions` sits between :class:`~dbtui.ui.redis.string_edit.StringActions`
and :class:`~dbtui.ui.redis.navigation.TreeEvents`.
"""

from __future__ import annotations

from dbtui.drivers.redis.live import LiveRequest
from dbtui.ui.redis.dialogs import PubSubDialog
from dbtui.ui.redis.sorting import SORT_LABELS, next_sort
from dbtui.ui.redis.string_edit import StringActions


class ViewActions(StringActions):
    """Sorting and the pub/sub monitor of the browser screen."""

    connection_name: str

    def _render_count(self) -> None:
        """Redraw the header's count line (implemented by the screen)."""
        raise NotImplementedError

    def action_cycle_sort(self) -> None:
        """Order the loaded keys of each open folder by the next of name, type, TTL, memory.

        Type, TTL and memory are fetched for every loaded row (not only the
        visible ones) while such an order is on; keys not measured yet go last.
        """
        view = self.keys_view
        view.sort_by = next_sort(view.sort_by)
        view.resort()
        self._render_count()
        if view.sort_by == "name":
            self.notify("Keys by name.")
        else:
            self.notify(
                f"Keys by {SORT_LABELS[view.sort_by]}: the keys loaded in each open folder, "
                "not the whole keyspace (the memory view, M, measures every key)."
            )

    def action_pubsub(self) -> None:
        """Ask for channels and patterns, then open a live pane listening to them."""
        self.app.push_screen(PubSubDialog(), self._listen)

    def _listen(self, request: LiveRequest | None) -> None:
        from dbtui.ui.redis.live import LiveScreen

        if request is not None:
            self.app.push_screen(LiveScreen(self.keyspace, request, name=self.connection_name))
