"""Text plan lines put back together after a terminal or a value broke them.

Two things split one plan line into several: a terminal that cut lines at its width
(the rest continues at the left margin), and a line break inside a value
(``Output: 'a<newline>b'::text``: EXPLAIN prints the rest as a line of its own). Both
leave a line that cannot start a plan line (``0..8.123 rows=1 loops=1)``,
``b'::text, id``). :func:`repair_rows` joins such a line to the one before it; a line
that was cut and whose rest is missing raises :class:`PlanFormatError` naming it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbtui.core.plans.errors import PlanFormatError

Row = tuple[int, str]

_KEY = re.compile(r"^[A-Z][\w/ .-]*:(?:\s|$)")
_MARKER = re.compile(r"^(?:CTE \S.*|InitPlan(?: \d+.*)?|SubPlan(?: \d+.*)?)$")
_NODE = re.compile(r"^(?:->\s+)?[A-Z][\w -]*?(?:\s\s\(|\s\(cost=| on | using |$)")
_SUMMARY = re.compile(
    r"^(?:Planning [Tt]ime|Execution [Tt]ime|Total runtime|Query Identifier|Settings|JIT|"
    r"Planning|Serialization|Trigger .*)\s*:"
)
_HEADER = re.compile(r"\((?:cost|actual)[= ]")
_RULE_CHARS = frozenset(" \t-+=─━═┄┈┌┐└┘├┤┬┴┼╔╗╚╝╠╣╦╩╬|│║")
_HEADER_LINE = re.compile(r"^[\s|│║]*QUERY PLAN[\s|│║]*$")


def is_rule(line: str) -> bool:
    """Whether ``line`` is a rule of a psql table (``---+---``, ``├────┤``...)."""
    chars = set(line)
    return chars <= _RULE_CHARS and not chars.isdisjoint("-─━═")


def _is_frame(line: str) -> bool:
    """A rule, a line of blanks and borders, or the ``QUERY PLAN`` header."""
    return set(line) <= _RULE_CHARS or bool(_HEADER_LINE.match(line))


_CUT_ADVICE = (
    "copy the plan again from a wider terminal, or print it with "
    "\\pset format unaligned (or FORMAT JSON)"
)


def plan_like(content: str) -> bool:
    """Whether a stripped line can be a line of a text plan (node, property, marker...)."""
    return bool(
        content.startswith(("->", "Trigger ", "Worker "))
        or _MARKER.match(content)
        or _KEY.match(content)
        or _NODE.match(content)
    )


def is_summary(content: str) -> bool:
    """Whether a stripped line is one of the lines after the tree (times, settings, JIT)."""
    return bool(_SUMMARY.match(content))


def open_state(text: str) -> tuple[int, str]:
    """Parentheses left open and the quote (``'``/``"``, or "") left open at the end of text."""
    text = text.lstrip()
    if "'" not in text and '"' not in text:
        return max(text.count("(") - text.count(")"), 0), ""
    depth, quote = 0, ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
    return depth, quote


def join_cut_lines(rows: list[Row], notes: list[str]) -> list[Row]:
    """Join the pieces of lines a terminal cut at its width (before psql framing is removed).

    The width is that of the longest line; it must be reached by two lines at least. A
    line of that width is followed by a piece of itself when the next line cannot start a
    plan line there: it is not a plan line at all (``0..8.1 rows=1 loops=1)``), or it is
    at a column no plan line used so far and not the body of the line before
    (``  Memory Usage: 508kB`` cut off a Memoize line). psql's own marks (``+``, ``↵``,
    wrap marks, ``|`` borders) are left for the framing step.
    """
    width = max((len(line) for _, line in rows), default=0)
    if width < 40 or sum(1 for _, line in rows if len(line) == width) < 2:
        return rows
    if _psql_wraps(rows, width):
        return rows  # psql's table fits the terminal: nothing was cut
    out: list[Row] = []
    cols: set[int] = set()
    state = _CutState()
    last_piece = 0
    joined = 0
    for number, line in rows:
        if out and last_piece == width and _continues(out[-1][1], line, cols, state):
            out[-1] = (out[-1][0], out[-1][1] + line)
            joined += not is_rule(line)
        else:
            out.append((number, line))
            content = line.strip()
            col = len(line) - len(line.lstrip(" "))
            if content and plan_like(content):
                cols.add(col)
                state.opener = col if _opens(content) else -1
                if state.root < 0 and _HEADER.search(content):
                    state.root = col
        last_piece = len(line)
    if joined:
        notes.append(
            f"{joined} line(s) cut at the terminal's width ({width} columns) were joined back"
        )
    return out


@dataclass
class _CutState:
    root: int = -1
    opener: int = -1


def _psql_wraps(rows: list[Row], width: int) -> bool:
    """Whether psql's table is exactly ``width`` wide (its rule is whole on one line)."""
    lines = [line for _, line in rows]
    for index, line in enumerate(lines[:-1]):
        if is_rule(line) and len(line) == width and not is_rule(lines[index + 1]):
            return True
    return False


def _continues(previous: str, line: str, cols: set[int], state: _CutState) -> bool:
    """Whether ``line`` is the rest of ``previous`` (a line exactly as wide as the terminal)."""
    content = line.strip()
    if not content or previous.rstrip().endswith(("+", "↵")):
        return False
    if _is_frame(previous) or _is_frame(line):
        return is_rule(previous) and is_rule(line)
    if line[:1] in "|│║":
        return False
    if not plan_like(content):
        return True
    col = len(line) - len(line.lstrip(" "))
    if col == state.root:
        return not (is_summary(content) or _HEADER.search(content))
    return col not in cols and not (state.opener >= 0 and col > state.opener)


def _opens(content: str) -> bool:
    """Whether a plan line is followed by lines indented past it (a node, marker, block)."""
    return bool(
        content.startswith(("->", "Worker ", "Planning:", "JIT:"))
        or _HEADER.search(content)
        or _MARKER.match(content)
        or _NODE.match(content)
    )


def repair_rows(rows: list[Row], notes: list[str]) -> list[Row]:
    """Join value continuation lines back to their line; drop what follows the plan.

    Args:
        rows: The plan's lines from its root line on (framing already removed).
        notes: Receives a sentence for each kind of repair made.

    Raises:
        PlanFormatError: A line was cut and its rest is missing, or a line inside the
            tree is not a plan line.
    """
    out: list[Row] = []
    broken = 0
    summary = False
    for index, (number, line) in enumerate(rows):
        content = line.strip()
        if not content:
            continue
        if out and not plan_like(content):
            if summary or not any(plan_like(ln.strip()) for _, ln in rows[index + 1 :]):
                break  # text after the plan: a prompt, a closing ``` fence, psql's \timing...
            previous_number, previous = out[-1]
            depth, quote = open_state(previous)
            if quote:
                out[-1] = (previous_number, previous + "\n" + line.lstrip(" "))
                broken += 1
                continue
            if depth:
                out[-1] = (previous_number, previous + line)
                continue
            raise PlanFormatError(f"line {number} is not part of a plan: {content[:60]!r}")
        _check_whole(out)
        summary = summary or is_summary(content)
        out.append((number, line.rstrip()))
    _check_whole(out)
    if broken:
        notes.append(f"{broken} line break(s) inside values were kept in their value")
    return out


def _check_whole(out: list[Row]) -> None:
    """Refuse a node line whose numbers were cut off (its rest never came)."""
    if not out:
        return
    number, line = out[-1]
    if _HEADER.search(line) and open_state(line)[0]:
        raise PlanFormatError(
            f"line {number} was cut at {len(line.rstrip())} columns and the rest of it is "
            f"missing ({line.strip()[-40:]!r}): {_CUT_ADVICE}"
        )
