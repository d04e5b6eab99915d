"""The connection picker shown by ``dbtui`` with no URL when connections are saved."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from dbtui.core.spec import ConnectionSpec
from dbtui.ui.safe import safe_assemble


class PickerApp(App[int | None]):
    """Choose one connection; returns its index, or ``None`` when the user leaves."""

    CSS = """
    Screen { align: center middle; }
    #picker { width: 90%; max-width: 100; height: auto; max-height: 80%; border: round $primary; }
    #picker-title { padding: 0 1; text-style: bold; }
    """
    BINDINGS = [Binding("escape,q", "exit_none", "Quit", id="picker.quit")]

    def __init__(self, specs: Sequence[ConnectionSpec]) -> None:
        super().__init__()
        self.specs = list(specs)

    def compose(self) -> ComposeResult:
        yield Static("dbtui: choose a connection (Enter), Esc quits", id="picker-title")
        options = []
        for spec in self.specs:
            label = safe_assemble(
                (spec.name, "bold"), f"  {spec.engine}  ", (spec.display_url, "dim")
            )
            if spec.read_only:
                label.append("  READ-ONLY", style="yellow")
            options.append(Option(label))
        yield OptionList(*options, id="picker")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.exit(event.option_index)

    def action_exit_none(self) -> None:
        """Leave without choosing."""
        self.exit(None)
