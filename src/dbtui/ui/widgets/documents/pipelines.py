"""Opening the pipeline editor from the main screen, and running what it returns.

For a connection with :class:`~dbtui.core.capabilities.PipelineEditing`: the pipeline
runs on the collection of the statement under the editor cursor, else of the shown
result, else of the catalog's selection. When the statement under the cursor is
already an aggregation, its stages are edited and Run replaces it; otherwise Run adds
the new command below the editor text. Either way it then runs like F5.
"""

from __future__ import annotations

from textual.screen import Screen

from dbtui.core.capabilities import PipelineEditing, PipelineTarget
from dbtui.core.results import DocumentsResult, Result
from dbtui.ui.screens.pipeline_editor import PipelineEditorScreen, PipelineRequest, stage_text
from dbtui.ui.workbench import Workbench, workbench_of


def open_pipeline_editor(screen: Screen[object], shown: Result | None) -> None:
    """Open the pipeline editor for the active connection (``shown``: the shown result)."""
    bench = workbench_of(screen)
    driver = bench.session.driver
    if driver is None or not isinstance(driver, PipelineEditing):
        screen.notify("The pipeline editor is for MongoDB connections.", severity="warning")
        return
    statement = bench.current_statement()
    target = driver.pipeline_target(statement.text) if statement else PipelineTarget()
    replace = None
    stages: list[str] = []
    if target.stages is not None and statement is not None:
        replace = (statement.start, statement.end)
        stages = [stage_text(driver, stage) for stage in target.stages]
    database, collection = _target(bench, driver, target, shown)
    if collection is None:
        screen.notify("Select a collection in the catalog first.", severity="warning")
        return

    def run(request: PipelineRequest | None) -> None:
        if request is not None:
            command = driver.pipeline_command(
                database, collection, request.stages, request.allow_disk_use
            )
            _run_pipeline(screen, command, replace)

    editor = PipelineEditorScreen(f"{database}.{collection}", stages, target.allow_disk_use, driver)
    screen.app.push_screen(editor, run)


def _target(
    bench: Workbench, driver: PipelineEditing, target: PipelineTarget, shown: Result | None
) -> tuple[str, str | None]:
    """The database and collection a new pipeline runs on."""
    current_database, current_collection = driver.current_namespace()
    if target.collection is not None:
        return target.database or current_database, target.collection
    if bench.session.result is shown and isinstance(shown, DocumentsResult) and shown.namespace:
        return shown.namespace
    return current_database, current_collection


def _run_pipeline(screen: Screen[object], text: str, replace: tuple[int, int] | None) -> None:
    """Put ``text`` in the editor (over the statement it came from) and run it."""
    editor = workbench_of(screen).editor()
    if replace is not None:
        locate = editor.plain_document.get_location_from_index
        editor.replace(text, locate(replace[0]), locate(replace[1]))
        offset = replace[0]
    else:
        current = editor.text.rstrip()
        editor.text = f"{current}\n\n{text}" if current else text
        offset = len(editor.text) - len(text)
    editor.move_cursor_to_offset(offset)
    editor.focus()
    screen.call_later(screen.run_action, "run")
