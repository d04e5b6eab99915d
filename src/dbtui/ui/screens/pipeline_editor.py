"""The aggregation pipeline editor: one text box per stage, checked before it runs.

Each stage is a plain-text ``TextArea`` (``language=None``: the tree-sitter
languages crash this environment) holding one ``{$stage: ...}`` document in
the driver's document syntax (:class:`~dbtui.core.capabilities.PipelineEditing`).
Run (F5) parses every stage with the driver's parser;
the first bad one gets the focus, the cursor moves to the error and the
message shows below, and nothing is lost. A valid pipeline closes the dialog
with a :class:`PipelineRequest`, which the main screen turns into the driver's
command (``db.<coll>.aggregate([...], {allowDiskUse: ...})``) in the editor and
runs like any other statement (history, cancel, explain and index advice all
apply to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.events import DescendantFocus
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Static, TextArea

from dbtui.core.capabilities import DocumentText
from dbtui.core.display import display_text
from dbtui.core.errors import QueryError
from dbtui.ui.safe import safe_assemble, safe_text
from dbtui.ui.screens.document_editor import move_to_offset

Doc = dict[str, Any]


@dataclass(frozen=True)
class PipelineRequest:
    """A checked pipeline to run.

    Attributes:
        stages: The stages in order, parsed (blank stage boxes left out).
        allow_disk_use: Let the server spill large sorts and groups to disk.
    """

    stages: tuple[Doc, ...]
    allow_disk_use: bool


def stage_text(codec: DocumentText, stage: object, width: int = 70) -> str:
    """A stage as text for its box: one line when it fits in ``width``, else indented."""
    line = codec.document_text(stage)
    return line if len(line) <= width else codec.document_text(stage, indent=2)


def parse_stage(codec: DocumentText, text: str) -> Doc:
    """One stage, checked: a document with exactly one ``$``-prefixed key.

    Raises:
        QueryError: not a valid document (with the position), or a document not
            shaped like a stage.
    """
    stage = codec.parse_document_text(text)
    keys = list(stage)
    if len(keys) != 1 or not str(keys[0]).startswith("$"):
        found = ", ".join(keys) if keys else "no field"
        raise QueryError(
            f"a stage is one {{$name: ...}} document, found {found}",
            "Not a stage",
            hint="For example {$match: {status: 'A'}} or {$group: {_id: '$city', n: {$sum: 1}}}.",
        )
    return stage


class StageArea(TextArea):
    """The text box of one stage."""

    DEFAULT_CSS = """
    StageArea { height: auto; min-height: 3; max-height: 10; }
    """


class PipelineEditorScreen(ModalScreen[PipelineRequest | None]):
    """Edit the stages of a pipeline on ``target``; F5 checks and runs it, Esc closes.

    Args:
        target: What the pipeline runs on, for the title (``shop.orders``).
        stages: The initial stage texts (at least one box is always shown).
        allow_disk_use: Initial state of the allowDiskUse checkbox.
        codec: The driver's document syntax (checks each stage before the run).
    """

    DEFAULT_CSS = """
    PipelineEditorScreen #stages { height: 1fr; }
    PipelineEditorScreen #pipeline-status { height: auto; }
    PipelineEditorScreen Checkbox { margin: 0; }
    """

    BINDINGS = [
        Binding("f5", "run", "Run", priority=True, id="pipeline.run", tooltip="Check and run it"),
        Binding("ctrl+n", "add", "Add stage", id="pipeline.add", tooltip="New stage below"),
        Binding("ctrl+r", "remove", "Remove", id="pipeline.remove", tooltip="Remove this stage"),
        Binding("alt+up,ctrl+up", "move(-1)", "Up", id="pipeline.up", tooltip="Move stage up"),
        Binding(
            "alt+down,ctrl+down", "move(1)", "Down", id="pipeline.down", tooltip="Move stage down"
        ),
        Binding("escape", "dismiss(None)", "Close", id="pipeline.close", tooltip="Close"),
    ]

    def __init__(
        self, target: str, stages: list[str], allow_disk_use: bool, codec: DocumentText
    ) -> None:
        super().__init__()
        self.codec = codec
        self.target = target
        self.initial = stages or [""]
        self.allow_disk_use = allow_disk_use
        self.current = 0
        """Index of the stage the keys act on (the focused one, or the last focused)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(safe_text(f"Aggregate on {self.target}", style="bold"))
            with VerticalScroll(id="stages"):
                for text in self.initial:
                    yield self._stage_area(text)
            yield Checkbox("allowDiskUse", self.allow_disk_use, id="allow-disk-use")
            yield Static("", id="pipeline-status")
            yield Static(
                "F5 run · ^N add · ^R remove · Alt+↑↓ move · Tab next · Esc close",
                classes="dialog-body",
            )

    def _stage_area(self, text: str) -> StageArea:
        return StageArea(
            text,
            language=None,
            soft_wrap=True,
            tab_behavior="focus",
            placeholder="{$match: {field: value}}",
        )

    @property
    def stages(self) -> list[StageArea]:
        """The stage boxes, top to bottom."""
        return list(self.query(StageArea))

    def on_mount(self) -> None:
        self._renumber()
        self.stages[0].focus()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Remember which stage the keys act on."""
        if isinstance(event.widget, StageArea):
            self.current = self.stages.index(event.widget)

    def _renumber(self) -> None:
        for number, area in enumerate(self.stages, 1):
            area.border_title = f"stage {number:d}"

    async def action_add(self) -> None:
        """Add an empty stage below the current one and focus it."""
        area = self._stage_area("")
        await self.query_one("#stages").mount(area, after=self.stages[self.current])
        self._renumber()
        area.focus()

    async def action_remove(self) -> None:
        """Remove the current stage (the last one left is only emptied)."""
        stages = self.stages
        if len(stages) == 1:
            stages[0].text = ""
            stages[0].focus()
            return
        index = min(self.current, len(stages) - 1)
        await stages[index].remove()
        self._renumber()
        self.stages[min(index, len(stages) - 2)].focus()

    def action_move(self, step: int) -> None:
        """Swap the current stage with the one above (-1) or below (1)."""
        stages = self.stages
        index = min(self.current, len(stages) - 1)
        other = index + step
        if not 0 <= other < len(stages):
            return
        here, there = stages[index], stages[other]
        here.text, there.text = there.text, here.text
        there.focus()
        there.scroll_visible()

    def action_run(self) -> None:
        """Check every stage; close with the pipeline when all are valid."""
        parsed: list[Doc] = []
        for number, area in enumerate(self.stages, 1):
            if not area.text.strip():
                continue
            try:
                parsed.append(parse_stage(self.codec, area.text))
            except QueryError as error:
                self._show_error(number, area, error)
                return
        disk = self.query_one("#allow-disk-use", Checkbox).value
        self.dismiss(PipelineRequest(tuple(parsed), disk))

    def _show_error(self, number: int, area: StageArea, error: QueryError) -> None:
        message = safe_assemble((f"stage {number}: ", "bold red"), error.message)
        if error.hint:
            message.append(f"\n{display_text(error.hint, multiline=True)}", style="yellow")
        self.query_one("#pipeline-status", Static).update(message)
        self.notify(f"stage {number}: {error.one_line()}", severity="error", timeout=6)
        if error.position is not None:
            move_to_offset(area, error.position)
        area.focus()
        area.scroll_visible()
