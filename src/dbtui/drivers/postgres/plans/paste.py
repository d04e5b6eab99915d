"""What users paste as a PostgreSQL plan, turned into clean plan rows or JSON text.

:func:`clean_paste` accepts, and undoes:

* psql's table framing in any line style and border (``QUERY PLAN`` header, ``---``/``───``
  rules, ``|``/``│`` borders of ``\\pset border 2``, ``(N rows)``), its newline marks
  (``+``, ``↵``) and the marks of ``\\pset format wrapped`` (``.``, ``…``);
* text before the plan: an echoed ``EXPLAIN ...``, earlier statements and their output,
  shell or psql prompts (also ones starting with ``[``), a server log line with
  auto_explain's ``Query Text:`` (kept as the statement) and the log's tab indent;
* exports that quote every line (CSV from ``psql --csv``, pgAdmin and DBeaver copies)
  and JSON whose quotes are doubled;
* lines cut by a terminal at its width, and a value (``Output: 'a<newline>b'``) whose
  line break put the rest of the line at the left margin: both are joined back.

Input that is no plan, or whose lines cannot be put back together, raises
:class:`PlanFormatError` naming the line.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from typing import Any

from dbtui.core.plans.errors import PlanFormatError
from dbtui.drivers.postgres.plans.repair import is_rule, join_cut_lines, repair_rows

Row = tuple[int, str]
"""A plan line and the (1-based) number of the pasted line it starts on."""

_HEADER = re.compile(r"^[\s|│║]*QUERY PLAN[\s|│║]*$")
_ROWS = re.compile(r"^\s*\(\d+ rows?\)\s*$")
_BORDERS = "|│║"
_NEWLINE_MARKS = ("+", "↵")
_WRAP_MARKS = (".", "…")
_AUTO_EXPLAIN = re.compile(r"\b(?:LOG|INFO|DEBUG\d?|NOTICE):\s+duration: [\d.]+ ms\s+plan:\s*$")
_QUERY_TEXT = re.compile(r"^\s*Query Text:\s?(.*)$")
_ARROW = re.compile(r"^\s*->\s")
_HEADER_NUMBERS = re.compile(
    r"\((?:cost=[\d.]+\.\.[\d.]+ rows=\d+ width=\d+|actual |never executed)"
)
_NODE_NAMES = (
    "Aggregate|Append|Bitmap Heap Scan|Bitmap Index Scan|BitmapAnd|BitmapOr|CTE Scan|"
    "Custom Scan|Delete|Foreign Scan|Function Scan|Gather|Gather Merge|Group|GroupAggregate|"
    "Hash|Hash Join|Hash \\w+ Join|HashAggregate|HashSetOp|Incremental Sort|Index Only Scan|"
    "Index Scan|Insert|Limit|LockRows|Materialize|Memoize|Merge|Merge Append|Merge Join|"
    "Merge \\w+ Join|MixedAggregate|ModifyTable|Named Tuplestore Scan|Nested Loop|ProjectSet|"
    "Recursive Union|Result|Sample Scan|Seq Scan|SetOp|Sort|Subquery Scan|"
    "Table Function Scan|Tid Range Scan|Tid Scan|Unique|Update|Values Scan|WindowAgg|"
    "WorkTable Scan"
)
_NODE_LINE = re.compile(
    rf"^\s*(?:->\s+)?(?:(?:Parallel|Async|Partial|Finalize) )*(?:{_NODE_NAMES})"
    r"(?: (?:Backward|on|using|Join|Semi|Anti|Left|Right|Full|\().*)?$"
)


@dataclass
class Pasted:
    """A paste cleaned up: either JSON text or the rows of a text plan.

    Attributes:
        kind: ``"json"`` or ``"text"``.
        json_text: The JSON document (``kind == "json"``).
        rows: The text plan, one entry per plan line, starting at the root node; a value
            that held a line break keeps it (``kind == "text"``).
        statement: auto_explain's ``Query Text``, when the paste had one.
        notes: What was repaired, in words for the user ("joined 3 lines ...").
    """

    kind: str
    json_text: str = ""
    rows: list[Row] = field(default_factory=list)
    statement: str = ""
    notes: list[str] = field(default_factory=list)


def clean_paste(text: str) -> Pasted:
    """Find the plan in ``text`` and undo what psql, exports and terminals did to it.

    Raises:
        PlanFormatError: No plan in the text, or one that cannot be put back together;
            the message names the pasted line.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise PlanFormatError("the plan is empty")
    pasted = Pasted(kind="text")
    try:  # the common case first: plain JSON, as saved by a tool or psql -At
        pasted.json_text = json.dumps(_decode(text.strip()))
    except (ValueError, RecursionError):
        pass
    else:
        pasted.kind = "json"
        return pasted
    rows = _unquote([(n, line) for n, line in enumerate(text.split("\n"), 1)], pasted)
    rows = _auto_explain(rows, pasted)
    rows = _unexpand(rows)
    rows = [(n, line.expandtabs(8)) for n, line in rows]
    rows = join_cut_lines(rows, pasted.notes)
    rows = _unframe(rows, pasted)
    return _pick(rows, pasted)


# -- exports that quote every line ------------------------------------------------------------


def _unquote(rows: list[Row], pasted: Pasted) -> list[Row]:
    """Undo CSV quoting (``psql --csv``, pgAdmin, DBeaver): ``"  ->  Sort ..."`` per line."""
    content = [(n, line) for n, line in rows if line.strip()]
    csv_header = bool(content) and content[0][1].strip('"') == "QUERY PLAN"
    if csv_header:
        content = content[1:]
    quoted = any(line.startswith('"') for _, line in content)
    if not content or not (content[0][1].lstrip().startswith('"') or (csv_header and quoted)):
        return rows
    first = content[0][0]
    body = "\n".join(line for n, line in rows if n >= first)
    out: list[Row] = []
    reader = csv.reader(body.split("\n"), strict=False)
    try:
        for record in reader:
            cell = ",".join(record)
            number = first + (reader.line_num - 1) - cell.count("\n")
            out.extend((number + i, part) for i, part in enumerate(cell.split("\n")))
    except csv.Error as exc:
        raise PlanFormatError(f"line {first + reader.line_num - 1}: bad quoting ({exc})") from None
    pasted.notes.append("the plan was quoted (a CSV or a client's copy): the quotes were removed")
    return out


def _auto_explain(rows: list[Row], pasted: Pasted) -> list[Row]:
    """The plan after an auto_explain log line, without the log's tab indent."""
    start = next((i for i, (_, line) in enumerate(rows) if _AUTO_EXPLAIN.search(line)), None)
    if start is None:
        return rows
    out: list[Row] = []
    for number, line in rows[start + 1 :]:
        if not line.startswith("\t"):
            break
        out.append((number, line[1:]))
    if not out:
        raise PlanFormatError(
            f"line {rows[start][0]}: auto_explain's log line has no plan after it"
        )
    return out


_RECORD = re.compile(r"^-\[ RECORD \d+ \]-*$")
_FIELD = re.compile(r"^(?:QUERY PLAN|\s+)\s\| ?(.*)$")


def _unexpand(rows: list[Row]) -> list[Row]:
    """psql's expanded display (``\\x``): ``QUERY PLAN | value`` records, one per line."""
    if not any(_RECORD.match(line) for _, line in rows[:50]):
        return rows
    out: list[Row] = []
    for index, (number, line) in enumerate(rows):
        if _RECORD.match(line):
            continue
        found = _FIELD.match(line)
        if found is None:
            out.append((number, line))
            continue
        value = found.group(1).rstrip()
        following = rows[index + 1][1] if index + 1 < len(rows) else ""
        if value.endswith("+") and re.match(r"^\s+\|", following):  # the value goes on
            value = value[:-1].rstrip()
        out.append((number, value))
    return out


# -- psql framing ---------------------------------------------------------------------------------


def _unframe(rows: list[Row], pasted: Pasted) -> list[Row]:
    """Drop psql's header, rules, borders and row count; join cell lines that psql split.

    Lines before a ``QUERY PLAN`` header are kept as they are (prompts, earlier output);
    the table ends at its ``(N rows)``.
    """
    header = next((i for i, (_, line) in enumerate(rows) if _HEADER.match(line)), None)
    width = 0
    if header is not None:
        width = max(
            len(rows[header][1].rstrip()),
            *(len(ln.rstrip()) for _, ln in rows[header + 1 : header + 2]),
        )
    before: list[Row] = []
    body: list[Row] = []
    for index, (number, line) in enumerate(rows):
        if not line.strip() or (header is not None and index == header):
            continue
        if header is not None and index < header:
            if not is_rule(line):
                before.append((number, line))
            continue
        if _ROWS.match(line):
            if header is not None:
                if any(_HEADER.match(ln) for _, ln in rows[index:]):
                    pasted.notes.append("the paste holds more than one plan: the first is shown")
                break
            continue
        if is_rule(line):
            continue
        body.append((number, line))
    return before + _join_cells(body, pasted, width)


def _split_border(line: str, width: int, bordered: bool) -> tuple[str, str, str, bool]:
    """``(left mark, content, right mark, wrapped)`` of a psql cell line in any style.

    Marks are psql's: ``+``/``↵`` at the right for a line break inside the value;
    ``.``/``…`` (a space in the old-ascii style) at the right of a line exactly as wide
    as the table (``width``, 0 when unknown) and at the left of the next for a wrapped
    line, which is what ``wrapped`` says.
    """
    stripped = line.rstrip()
    if bordered and stripped[:1] in _BORDERS and stripped[-1:] in _BORDERS:
        inner = stripped[1:-1]
        if len(inner) < 2:
            return "", "", "", False
        return inner[0], inner[1:-1], inner[-1], inner[-1] in _WRAP_MARKS
    if width and len(line) == width and line.endswith(" ") and stripped:  # old-ascii wrap
        return (" ", line[1:-1], " ", True) if line[:1] == " " else ("", line[:-1], " ", True)
    right = ""
    full = width > 0 and len(stripped) in (width, width + 1)  # + 1: border 0
    newline = stripped.endswith("↵") or bool(re.search(r"\s\+$", stripped))
    if newline or (full and stripped[-1] == "+") or stripped.endswith(_WRAP_MARKS):
        right, stripped = stripped[-1], stripped[:-1]
    left = stripped[:1]
    if left in _WRAP_MARKS or (width and left == " "):
        return left, stripped[1:], right, full and right in _WRAP_MARKS
    return "", stripped, right, full and right in _WRAP_MARKS


def _join_cells(rows: list[Row], pasted: Pasted, width: int) -> list[Row]:
    """Undo psql's ``+``/``↵`` (line break in a value) and ``.``/``…`` (wrapped) marks.

    ``width`` is the table's (0 when no psql header was seen): psql marks a wrapped line
    only on lines of exactly that width, so a terminal that cut ``1.5..2.0`` between its
    dots is not taken for psql's wrapping.
    """
    bordered = sum(1 for _, ln in rows if ln.strip()[:1] in _BORDERS) > len(rows) // 2
    out: list[Row] = []
    wrapped = 0
    pending: tuple[int, str, str] | None = None  # number, text so far, its wrap mark
    for number, line in rows:
        left, content, right, wraps = _split_border(line, width, bordered)
        if pending is not None and left == pending[2]:
            number, content = pending[0], pending[1] + content
            wrapped += 1
        elif pending is not None:
            out.append((pending[0], (pending[1] + pending[2]).rstrip()))
        elif left in _WRAP_MARKS:
            content = left + content
        pending = None
        if wraps:
            pending = (number, content, right)
        else:
            out.append((number, content.rstrip() + (right if right in _WRAP_MARKS else "")))
    if pending is not None:
        out.append((pending[0], (pending[1] + pending[2]).rstrip()))
    if wrapped:
        pasted.notes.append(f"psql had split {wrapped} line(s) to fit its screen: joined back")
    return out


# -- JSON or text ---------------------------------------------------------------------------------


def _pick(rows: list[Row], pasted: Pasted) -> Pasted:
    """Find where the plan starts: a JSON document or a text plan's root line."""
    text_start = next((i for i, (_, ln) in enumerate(rows) if _is_node_line(ln)), None)
    limit = len(rows) if text_start is None else text_start
    error = ""
    full = "\n".join(line for _, line in rows)
    offsets = [0]
    for _, line in rows:
        offsets.append(offsets[-1] + len(line) + 1)
    for index in range(limit):
        number, line = rows[index]
        if not line.lstrip().startswith(("[", "{", '"')):
            continue
        body = full[offsets[index] :].lstrip()
        try:
            document = _decode(body)
        except json.JSONDecodeError as exc:
            where = number + exc.lineno - 1
            error = error or f"line {where}: the JSON plan is not valid ({exc.msg})"
            if exc.lineno == 1 and not _json_start(line):
                continue  # a prompt such as "[local] db=#" before the plan
            raise PlanFormatError(error) from None
        except ValueError as exc:
            if text_start is not None:
                continue
            raise PlanFormatError(f"line {number}: {exc}") from None
        pasted.kind, pasted.json_text = "json", json.dumps(document)
        return pasted
    if text_start is None:
        if error:
            raise PlanFormatError(error)
        raise PlanFormatError(
            "no plan node found (a text plan starts with a line like "
            "'Seq Scan on t  (cost=...)', a JSON plan with '[')"
        )
    pasted.statement = _query_text(rows[:text_start])
    pasted.rows = repair_rows(rows[text_start:], pasted.notes)
    return pasted


def _is_node_line(line: str) -> bool:
    """Whether ``line`` is a text plan node: numbers in parentheses, a ``->`` or a node name."""
    if line.lstrip().upper().startswith("EXPLAIN"):
        return False
    if _HEADER_NUMBERS.search(line) and not line.lstrip().startswith(("[", "{", '"')):
        return not re.match(r"^\s*[\w ]+=[#>]", line)  # a psql prompt echoing the statement
    return bool(_ARROW.match(line) or _NODE_LINE.match(line))


def _json_start(line: str) -> bool:
    """Whether a line can only be the start of a JSON document (not a prompt)."""
    stripped = line.strip()
    return stripped in ("[", "{") or stripped.startswith(("[{", '{"', '["', '[""', '"[{'))


def _decode(body: str) -> Any:
    """The first JSON value in ``body`` that is a plan (a JSON string holding one is opened)."""
    decoder = json.JSONDecoder()
    try:
        document, _ = decoder.raw_decode(body)
    except ValueError:
        if '""' not in body:
            raise
        document, _ = decoder.raw_decode(body.replace('""', '"'))  # quotes doubled by an export
    if isinstance(document, str):
        return _decode(document.strip())
    if not _plan_like(document):
        raise ValueError('this JSON is not an EXPLAIN plan (no "Plan" key)')
    return document


def _plan_like(document: Any) -> bool:
    if isinstance(document, list) and len(document) == 1:
        document = document[0]
    if isinstance(document, dict) and "QUERY PLAN" in document:
        return _plan_like(document["QUERY PLAN"])
    return isinstance(document, dict) and ("Plan" in document or "Node Type" in document)


def _query_text(rows: list[Row]) -> str:
    """auto_explain's ``Query Text:`` (and its continuation lines) before the plan."""
    for index, (_, line) in enumerate(rows):
        if found := _QUERY_TEXT.match(line):
            rest = [found.group(1)] + [ln for _, ln in rows[index + 1 :]]
            return "\n".join(rest).strip()
    return ""
