"""The main screen's keys: they work from every pane and act on the active connection.

Actions (on :class:`~dbtui.ui.screens.main.MainScreen`): run, run all, explain, analyze,
cancel (Esc, only while something runs), advise, history, editor tabs, reload completion
names, the connection manager; and the layout: focus the catalog, editor or output
(F2/F3/F4), show one output tab (Alt+R/L/V/M/D), zoom the focused pane (F8), help (F1). Keys of one part live with that part:
``catalog.*`` in ``widgets/catalog_tree.py``, ``editor.*`` in ``widgets/editor.py``,
``results.*`` in ``widgets/results_view.py``, ``documents.*`` in ``widgets/results_tab.py``,
``plan.*`` in ``widgets/plan_view.py``, ``advice.*`` in ``widgets/advice_view.py``.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

BINDINGS: list[BindingType] = [
    # Priority: TextArea binds F6/F7 to line/all selection.
    Binding(
        "f5",
        "run",
        "Run",
        priority=True,
        id="main.run",
        tooltip="Run the statement under the cursor",
    ),
    Binding(
        "ctrl+t,alt+n",
        "new_tab",
        "New tab",
        show=False,
        id="main.new_tab",
        tooltip="Open an editor tab",
    ),
    Binding(
        "ctrl+f4,alt+w",
        "close_tab",
        "Close tab",
        show=False,
        id="main.close_tab",
        tooltip="Close the editor tab",
    ),
    Binding(
        "ctrl+pagedown,alt+right",
        "next_tab(1)",
        "Next tab",
        show=False,
        id="main.next_tab",
        tooltip="Show the next editor tab",
    ),
    Binding(
        "ctrl+pageup,alt+left",
        "next_tab(-1)",
        "Previous tab",
        show=False,
        id="main.previous_tab",
        tooltip="Show the previous editor tab",
    ),
    Binding(
        "shift+f5",
        "run_all",
        "Run all",
        priority=True,
        show=False,
        id="main.run_all",
        tooltip="Run every statement of the editor as a script",
    ),
    Binding("f6", "explain", "Explain", priority=True, id="main.explain", tooltip="Show the plan"),
    Binding(
        "f7",
        "explain_analyze",
        "Analyze",
        priority=True,
        show=False,
        id="main.analyze",
        tooltip="Run it and measure the plan",
    ),
    # Priority and live only while something runs (a statement, or reading a result to its
    # end): Esc and Ctrl+C then cancel from any pane; otherwise the focused widget gets them.
    Binding(
        "escape,ctrl+c",
        "cancel",
        "Cancel",
        priority=True,
        id="main.cancel",
        tooltip="Cancel the running statement, or the reading of a result to its end",
    ),
    Binding(
        "f9",
        "advise",
        "Advise",
        priority=True,
        id="main.advise",
        tooltip="Suggest indexes for the statement under the cursor",
    ),
    Binding(
        "ctrl+r",
        "history",
        "History",
        priority=True,
        show=False,
        id="main.history",
        tooltip="Search this connection's query history",
    ),
    Binding("f2", "focus_catalog", "Catalog", id="main.catalog", tooltip="Focus the catalog"),
    Binding(
        "f3", "focus_editor", "Editor", show=False, id="main.editor", tooltip="Focus the editor"
    ),
    Binding(
        "f4",
        "focus_output",
        "Output",
        show=False,
        id="main.output",
        tooltip="Focus the output tabs",
    ),
    Binding("f8", "zoom", "Zoom", id="main.zoom", tooltip="Maximise the focused pane"),
    # The output tabs, one key each: Alt+R/L/V/M/D (Results, pLan, adVice, Messages, Details).
    # A terminal sends ESC then the letter (works over SSH; ESC digit is read as another key).
    # Priority: ESC m arrives as alt+m carrying "m", which a focused editor would type.
    Binding(
        "alt+r",
        "show_output('tab-results')",
        "Results tab",
        show=False,
        priority=True,
        id="main.tab_results",
        tooltip="Show and focus the Results tab: the result table",
    ),
    Binding(
        "alt+l",
        "show_output('tab-plan')",
        "Plan tab",
        show=False,
        priority=True,
        id="main.tab_plan",
        tooltip="Show and focus the Plan tab: the plan tree",
    ),
    Binding(
        "alt+v",
        "show_output('tab-advice')",
        "Advice tab",
        show=False,
        priority=True,
        id="main.tab_advice",
        tooltip="Show and focus the Advice tab: the index advice",
    ),
    Binding(
        "alt+m",
        "show_output('tab-messages')",
        "Messages tab",
        show=False,
        priority=True,
        id="main.tab_messages",
        tooltip="Show and focus the Messages tab: errors, notices and script steps",
    ),
    Binding(
        "alt+d",
        "show_output('tab-details')",
        "Details tab",
        show=False,
        priority=True,
        id="main.tab_details",
        tooltip="Show and focus the Details tab: the details of the catalog object",
    ),
    Binding("f1", "help", "Help", id="main.help", tooltip="Show the keys of this pane"),
    Binding(
        "ctrl+o",
        "connections",
        "Connections",
        show=False,
        id="main.connections",
        tooltip="Add, edit, test, delete and open saved connections",
    ),
    Binding(
        "ctrl+l",
        "refresh_completion",
        "Reload names",
        show=False,
        id="main.refresh_completion",
        tooltip="Read the catalog again for completion (MongoDB: sample the fields)",
    ),
]
"""Every binding of the main screen (ids ``main.*``)."""
