"""The floor for opening a plan: Textual's own Tree (or DataTable) of N nodes, on F7.

Run in tmux by ``benchmarks/run`` (``python -m onscreen.tree_floor tree|table N``): the
app shows ``floor ready``; F7 builds a widget shaped like the plan of the ``plan-open``
row (a Gather over an Append over N-2 index scans), every node expanded, and shows it.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static, Tree

LEAF = "Index Scan using small_pkey on small"


class Floor(App[None]):
    """Builds the widget on F7; nothing else."""

    BINDINGS = [Binding("f7", "build", "Build")]

    def __init__(self, kind: str, nodes: int) -> None:
        super().__init__()
        self.kind = kind
        self.nodes = nodes

    def compose(self) -> ComposeResult:
        yield Static("floor ready", id="status")

    def action_build(self) -> None:
        """Mount the Tree or DataTable with every node."""
        self.query_one("#status", Static).update(f"floor {self.kind} {self.nodes}")
        if self.kind == "table":
            table: DataTable[str] = DataTable()
            table.add_columns("time", "excl ms", "rows", "loops", "node")
            table.add_row("█", "75.9", "299", "1", "Gather")
            table.add_row("░", "0.000", "300", "3", "└─ Parallel Append")
            for i in range(self.nodes - 2):
                table.add_row("░", "0.006", "1", "1", f"   ├─ {LEAF} #{i}")
            self.mount(table)
            table.focus()
            return
        tree: Tree[None] = Tree("Gather")
        append = tree.root.add("Parallel Append", expand=True)
        for i in range(self.nodes - 2):
            append.add_leaf(f"{LEAF} #{i}")
        tree.root.expand()
        self.mount(tree)
        tree.focus()


if __name__ == "__main__":
    Floor(sys.argv[1], int(sys.argv[2])).run()
