"""Static guard: no widget in src/dbtui/ui is given text that Textual would parse as markup.

Textual parses a ``str`` as markup in ``Static``, ``Label``, ``.update``, tree labels and
DataTable cells/columns (Rich does in ``Table`` cells), and ``Text(str)`` keeps control
characters. Server text must go through :mod:`dbtui.ui.safe`. This test scans the AST of
every UI module and fails when such a sink is called with anything but a literal, a
safe-helper call, a Text built from those, a local variable assigned only from those, a
parameter annotated ``Text``, or ``markup=False``. ``Text(...)``, ``Text.assemble(...)``
and ``<a Text>.append(...)`` must get plain text (a literal, numbers, escaped text).
The allow-list names the few calls that are not widget sinks (``set.add``) or are safe
for a stated reason. ``notify`` is made safe once, by ``DbtuiApp.notify``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from textual.app import App

import dbtui.ui.app
from dbtui.ui.app import DbtuiApp

UI = Path(dbtui.ui.app.__file__).parent
#: Calls whose first positional argument is shown as (markup-parsed) text.
FIRST_ARG_SINKS = frozenset(
    {
        "Static",
        "Label",
        "update",
        "add",
        "add_leaf",
        "set_label",
        "write",
        "Option",
        "Checkbox",
        "Tree",
        "TabPane",
    }
)
#: Attributes whose assigned value is shown as (markup-parsed) text.
TEXT_ATTRIBUTES = frozenset({"label", "border_title", "border_subtitle", "sub_title"})
#: Calls whose every positional argument is shown as text (table cells and headers).
ALL_ARG_SINKS = frozenset({"add_row", "add_rows", "add_column", "add_columns", "Group"})
#: Constructors of Text: their text must hold no control character.
TEXT_BUILDERS = frozenset({"Text", "assemble"})
#: Calls never allowed in the UI: they parse markup on purpose, or (``TextArea``) send the
#: text's control characters to the terminal (``SafeTextArea`` shows them as ``␛``).
FORBIDDEN = frozenset({"from_markup", "from_rich_text_markup", "TextArea"})
#: Functions whose result is safe text (escaped, no markup).
SAFE_CALLS = frozenset(
    {
        "safe_text",
        "safe_line",
        "safe_label",
        "safe_cell",
        "safe_join",
        "safe_assemble",
        "plain_message",
    }
)
#: Safe functions that only one module defines under a common name.
SAFE_LOCAL = {"widgets/results/view.py": frozenset({"cell"})}
#: Functions whose ``str`` result holds no control character (fine inside ``Text(...)``).
PLAIN_CALLS = frozenset(
    {
        "display_text",
        "display_bytes",
        "display_value",
        "format_key",  # Redis key names, non-printable bytes as \\xNN
        "printable",  # Redis bytes through display_bytes
        "human_bytes",
        "human_count",
        "size_text",
        "ttl_text",
        "clock",
    }
)
#: Return/parameter annotations whose values are checked where they are built.
BUILT_TYPES = frozenset({"Text", "Content", "Table", "Group"})
#: (module relative to src/dbtui/ui, source of the call) -> why it is fine.
ALLOWED: dict[tuple[str, str], str] = {
    ("key_browser/screen.py", "seen.add(binding.key)"): "a set",
    ("key_browser/key_list.py", "self.tree_model.add([key])"): "a key model, not a widget",
    ("key_browser/key_list.py", "self.flat_model.add([key])"): "a key model, not a widget",
    ("key_browser/tree_model.py", "self.tree.add(keys, defer=True)"): "a key model, not a widget",
    ("key_browser/tree_model.py", "self.flat.add(keys)"): "a key model, not a widget",
    (
        "key_browser/live.py",
        "self.rate.add(time.monotonic(), len(event.entries) + event.dropped)",
    ): "a rate meter",
    ("widgets/plan/view.py", "self.collapsed.add(current.path)"): "a set",
    ("widgets/catalog/pane.py", "self._first_connects.add(session.index)"): "a set",
    ("widgets/results/cells.py", "seen.update(dict.fromkeys(document))"): "a dict",
    ("export_job.py", "super().write(text)"): "a file",
    (
        "export_job.py",
        "out.write(('[\\n  ' if count == 0 else ',\\n  ') + to_json(document))",
    ): "a file",
    (
        "widgets/editor/stack.py",
        "self.buffer_writer.write(session, session.tab, text, generation)",
    ): "a buffer file",
    ("screens/advice_detail.py", "Group(head, changes, trees)"): "trees: safe_text in a Table",
    (
        "screens/advice_detail.py",
        "Static(comparison(self.before, self.after, side_by_side=wide))",
    ): "comparison() builds its parts with safe_text; its Table cells are checked",
    (
        "key_browser/live.py",
        "self.log_view.write(Text('\\n').join(lines))",
    ): "lines: live_line() Text",
    ("key_browser/value_view.py", "table.add_columns(*COLUMNS[kind])"): "column titles: literals",
    (
        "key_browser/dialogs.py",
        "Static(JUMP_HINTS.get(self.kind, ''), classes='rb-dim')",
    ): "JUMP_HINTS: literal hints per key type",
    (
        "widgets/results/window_table.py",
        "self.add_row(*cells, label=Text(f'{number + offset:,}', style='dim'))",
    ): "cells: results_view.cell() (safe_cell)",
}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _annotation(node: ast.expr | None) -> str:
    return "" if node is None else ast.unparse(node).strip("'\"")


class _Checker:
    """Decides whether an expression is safe text, inside one function of one module."""

    def __init__(self, module: ast.Module, function: ast.AST | None, local: frozenset[str]):
        self.local = local
        self.constants: set[str] = set()
        for statement in module.body:
            if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                try:
                    ast.literal_eval(statement.value)
                except ValueError:
                    continue
                self.constants.update(t.id for t in targets if isinstance(t, ast.Name))
        self.assigned: dict[str, list[ast.expr | None]] = {}
        self.texts: set[str] = set()
        if function is None:
            return
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(target, node.value)
            elif isinstance(node, ast.AnnAssign | ast.AugAssign):
                self._bind(node.target, node.value)
            elif isinstance(node, ast.For | ast.comprehension):
                self._bind(node.target, None)
            elif isinstance(node, ast.arguments):
                for arg in [*node.posonlyargs, *node.args, *node.kwonlyargs]:
                    if _annotation(arg.annotation) in BUILT_TYPES:
                        self.texts.add(arg.arg)
                    else:
                        self.assigned.setdefault(arg.arg, []).append(None)

    def _bind(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.assigned.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._bind(element, None)

    def _name_is(self, name: str, test: str, seen: frozenset[str]) -> bool:
        if name in self.texts:
            return True
        values = self.assigned.get(name)
        if not values:
            return name in self.constants
        if name in seen:
            return False
        check = self.safe if test == "safe" else self.plain
        return all(check(value, seen | {name}) for value in values)

    def safe(self, node: ast.expr | None, seen: frozenset[str] = frozenset()) -> bool:
        """True when ``node`` is text that cannot carry markup or control codes."""
        if node is None:
            return False
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):  # numbers formatted with a spec, no markup
            return all(
                part.format_spec is not None
                if isinstance(part, ast.FormattedValue)
                else "[" not in str(getattr(part, "value", ""))
                for part in node.values
            )
        if isinstance(node, ast.BinOp):
            return self.safe(node.left, seen) and self.safe(node.right, seen)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body, seen) and self.safe(node.orelse, seen)
        if isinstance(node, ast.Starred):
            return self.safe(node.value, seen)
        if isinstance(node, ast.GeneratorExp | ast.ListComp):
            return self.safe(node.elt, seen)
        if isinstance(node, ast.Tuple | ast.List):
            return all(self.safe(element, seen) for element in node.elts)
        if isinstance(node, ast.Subscript):
            return isinstance(node.value, ast.Name) and node.value.id in self.constants
        if isinstance(node, ast.Name):
            return self._name_is(node.id, "safe", seen)
        if isinstance(node, ast.Call):
            return self.safe_call(node, seen)
        return False

    def safe_call(self, node: ast.Call, seen: frozenset[str]) -> bool:
        """A call that returns safe text: a helper, or a Text built from plain text."""
        name = _name(node.func)
        if name in SAFE_CALLS or name in BUILDERS or name in self.local:
            return True
        if name == "Text":
            return not node.args or self.plain(node.args[0], seen)
        if name == "assemble":
            return all(self.plain(arg, seen) for arg in node.args)
        if name == "Syntax":
            return bool(node.args) and self.plain(node.args[0], seen)
        if name in ("tuple", "list"):
            return all(self.safe(arg, seen) for arg in node.args)
        if name in ("join", "Table", "grid", "Group"):
            receiver = getattr(node.func, "value", None)
            receiver_ok = name != "join" or self.safe(receiver, seen)
            return receiver_ok and all(self.safe(arg, seen) for arg in node.args)
        return False

    def plain(self, node: ast.expr | None, seen: frozenset[str] = frozenset()) -> bool:
        """True when ``node`` is a ``str`` without control characters (or safe text)."""
        if node is None:
            return False
        if isinstance(node, ast.JoinedStr):
            return all(
                not isinstance(part, ast.FormattedValue)
                or part.format_spec is not None
                or self.plain(part.value, seen)
                for part in node.values
            )
        if isinstance(node, ast.Tuple):  # (text, style) in Text.assemble
            return bool(node.elts) and self.plain(node.elts[0], seen)
        if isinstance(node, ast.BinOp):
            return self.plain(node.left, seen) and self.plain(node.right, seen)
        if isinstance(node, ast.IfExp):
            return self.plain(node.body, seen) and self.plain(node.orelse, seen)
        if isinstance(node, ast.Name):
            return self._name_is(node.id, "plain", seen)
        if isinstance(node, ast.Call) and _name(node.func) in PLAIN_CALLS:
            return True
        return self.safe(node, seen)

    def text_receiver(self, call: ast.Call) -> bool:
        """Whether ``call`` is ``<a Text>.append(...)``."""
        if _name(call.func) != "append" or not isinstance(call.func, ast.Attribute):
            return False
        receiver = call.func.value
        if not isinstance(receiver, ast.Name):
            return False
        if receiver.id in self.texts:
            return True
        values = self.assigned.get(receiver.id) or []
        return any(isinstance(v, ast.Call) and self.safe_call(v, frozenset()) for v in values)


def _builders() -> frozenset[str]:
    """UI functions annotated to return Text/Content/Table: their insides are checked."""
    names = set()
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and _annotation(node.returns) in BUILT_TYPES:
                names.add(node.name)
    return frozenset(names)


BUILDERS = _builders()


def _calls() -> Iterator[tuple[str, ast.Call, _Checker]]:
    """Every call in the UI package, with a checker for the function that holds it."""
    for path in sorted(UI.rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        relative = path.relative_to(UI).as_posix()
        local = SAFE_LOCAL.get(relative, frozenset())
        owner: dict[int, ast.AST] = {}
        for function in ast.walk(module):  # outer first: inner functions overwrite
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                for node in ast.walk(function):
                    owner[id(node)] = function
        checkers: dict[int, _Checker] = {}
        for node in ast.walk(module):
            if isinstance(node, ast.Call):
                holder = owner.get(id(node))
                if id(holder) not in checkers:
                    checkers[id(holder)] = _Checker(module, holder, local)
                yield relative, node, checkers[id(holder)]


def _problem(relative: str, call: ast.Call, checker: _Checker) -> str | None:
    """Why ``call`` may show unsafe text, or None."""
    name = _name(call.func)
    where = f"{relative}:{call.lineno}: {ast.unparse(call)[:120]}"
    if name in FORBIDDEN:
        return where + "  (parses markup)"
    if (relative, ast.unparse(call)) in ALLOWED:
        return None
    if any(
        k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in call.keywords
    ):
        return None
    if name in TEXT_BUILDERS:
        ok = checker.safe_call(call, frozenset())
    elif name == "Syntax":  # highlighted, not markup, but control characters pass
        ok = bool(call.args) and checker.plain(call.args[0])
    elif checker.text_receiver(call):
        ok = not call.args or checker.plain(call.args[0])
    elif name in FIRST_ARG_SINKS:
        ok = not call.args or checker.safe(call.args[0])
    elif name in ALL_ARG_SINKS:
        ok = all(checker.safe(arg) for arg in call.args)
    else:
        ok = True
    return None if ok else where


def test_every_text_sink_gets_safe_text() -> None:
    problems = [p for r, c, k in _calls() if r != "safe.py" and (p := _problem(r, c, k))]
    assert not problems, "server text must go through dbtui.ui.safe:\n" + "\n".join(problems)


def test_the_guard_catches_unsafe_calls() -> None:
    """The checker itself: each of these lines must be reported."""
    source = (
        "def f(value, name: str, label: Text):\n"
        "    Static(value)\n"
        "    Static(f'x {value}')\n"
        "    table.add_row('ok', value)\n"
        "    node.add_leaf(Text(value))\n"
        "    text = safe_text('a')\n"
        "    text.append(name)\n"
        "    label.append(f'{name}')\n"
        "    Text.assemble(('a', 'b'), name)\n"
        "    content = Text.from_markup(value)\n"
        "    Syntax(value, 'sql')\n"
    )
    module = ast.parse(source)
    function = module.body[0]
    checker = _Checker(module, function, frozenset())
    calls = [node for node in ast.walk(function) if isinstance(node, ast.Call)]
    reported = {call.lineno for call in calls if _problem("x.py", call, checker)}
    assert reported == set(range(2, 12)) - {6}
    fine = "def g(label: Text):\n    Static(safe_text(v))\n    Static(label)\n    Label('x')\n"
    module = ast.parse(fine)
    checker = _Checker(module, module.body[0], frozenset())
    assert not [
        c for c in ast.walk(module) if isinstance(c, ast.Call) and _problem("x", c, checker)
    ]


def test_text_attributes_get_safe_text() -> None:
    """``node.label = ...``, ``border_title = ...``: the same rule as the sinks."""
    problems = []
    for path in sorted(UI.rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(module):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            checker = _Checker(module, function, frozenset())
            for node in ast.walk(function):
                if not isinstance(node, ast.Assign):
                    continue
                for target in node.targets:
                    shown = isinstance(target, ast.Attribute) and target.attr in TEXT_ATTRIBUTES
                    if shown and not checker.safe(node.value):
                        problems.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert problems == []


def test_locally_trusted_functions_return_safe_text() -> None:
    """``SAFE_LOCAL`` trusts results_view.cell by name: check that it deserves it."""
    from rich.text import Text

    from dbtui.ui.widgets.results.view import cell

    for value in ("[/]", "\x1b]0;x\x07", b"\x1b[/]", 7, None):
        shown = cell(value)
        assert isinstance(shown, Text)
        assert shown.plain.isprintable()
    assert cell("[/]").plain == "[/]"


def test_allow_list_has_no_stale_entries() -> None:
    sources = {(relative, ast.unparse(call)) for relative, call, _ in _calls()}
    assert [entry for entry in ALLOWED if entry not in sources] == []


def _problem_markup(value: ast.expr) -> bool:
    return not (isinstance(value, ast.Constant) and value.value is False)


def test_notifications_are_never_markup() -> None:
    """``notify`` is made safe by the App override; no App in the UI may bypass it."""
    assert DbtuiApp.notify is not App.notify
    markup_notify = [
        f"{relative}:{call.lineno}"
        for relative, call, _ in _calls()
        if _name(call.func) == "notify"
        and any(k.arg == "markup" and _problem_markup(k.value) for k in call.keywords)
    ]
    assert markup_notify == [], "notify(markup=True) is ignored by DbtuiApp.notify; drop it"
    apps = [
        path.name
        for path in UI.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and any(_annotation(base).startswith("App") for base in node.bases)
        and node.name != "DbtuiApp"
        and "notify(" in path.read_text(encoding="utf-8")
    ]
    assert apps == [], "an App other than DbtuiApp notifies without the escaping override"
