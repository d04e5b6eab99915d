"""PostgreSQL ``EXPLAIN (FORMAT JSON)`` output turned into an analysed :class:`Plan`.

Accepts what PostgreSQL 12 to 18 print with any mix of ANALYZE, BUFFERS, VERBOSE,
SETTINGS, WAL and TIMING: the one-element list, the object inside it, a JSON string of
either, or such a string as users paste it (psql framing in any style, a CSV export,
prompts before it: see :mod:`.paste`). Text plans are read by :mod:`.text`. The
computations live in :mod:`.analysis` and the warnings in :mod:`.findings`; this module
handles input shapes, labels and the summary. What :mod:`.paste` had to repair is
reported as an information finding (``pasted-input``) of the plan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from dbtui.core.plan import Finding, Plan, PlanSummary, Severity, TriggerTime
from dbtui.core.plans.errors import PlanFormatError, clean_errors
from dbtui.drivers.postgres.plans.analysis import analyse, build_tree, flatten
from dbtui.drivers.postgres.plans.findings import assess, summary_findings
from dbtui.drivers.postgres.plans.paste import Pasted, clean_paste
from dbtui.drivers.postgres.plans.text import TextPlanError, text_to_json

ENGINE = "postgresql"


@clean_errors("a PostgreSQL plan this parser understands")
def parse_postgres_plan(data: object, statement: str = "") -> Plan:
    """Parse and analyse one PostgreSQL JSON plan.

    Args:
        data: ``EXPLAIN (FORMAT JSON)`` output: the decoded list (as psycopg returns
            it), its single object, a bare plan node, or the text of any of these as
            users paste it (see :mod:`.paste`); a text that holds a TEXT plan instead
            is read as :func:`parse_postgres_text_plan` reads it.
        statement: The statement that was explained; when empty, the plan's own
            ``Query Text`` (auto_explain) is used if present.

    Returns:
        The analysed plan: exclusive times in wall-clock ms, shares, misestimates,
        exclusive buffers and findings on every node, plus the summary.

    Raises:
        PlanFormatError: The input is not a PostgreSQL plan (the message names the line
            of a pasted text where it can).
    """
    pasted = clean_paste(data) if isinstance(data, str) else None
    if pasted is not None and pasted.kind == "text":
        return _from_pasted(pasted, statement)
    top = _top_object(json.loads(pasted.json_text) if pasted is not None else data)
    return _analysed(top, statement, pasted.notes if pasted is not None else [])


@clean_errors("a PostgreSQL text plan this parser understands")
def parse_postgres_text_plan(text: str, statement: str = "") -> Plan:
    """Parse and analyse a TEXT plan (``EXPLAIN`` without ``FORMAT JSON``) as users paste it.

    The text is cleaned by :mod:`.paste` and rebuilt into the JSON shape (see :mod:`.text`
    for what a text plan cannot give back), then analysed exactly like a JSON plan. Text
    that is in fact JSON (framed by psql, quoted by an export...) is read as JSON.

    Raises:
        PlanFormatError: No plan in the text, or one that cannot be read (the message
            names the line).
    """
    return _from_pasted(clean_paste(text), statement)


def _from_pasted(pasted: Pasted, statement: str) -> Plan:
    if pasted.kind == "json":
        top = _top_object(json.loads(pasted.json_text))
    else:
        try:
            top = text_to_json(pasted.rows)
        except TextPlanError as exc:
            raise PlanFormatError(f"this is not a PostgreSQL text plan: {exc}") from None
    return _analysed(top, statement or pasted.statement, pasted.notes)


def _analysed(top: Mapping[str, Any], statement: str, notes: Sequence[str]) -> Plan:
    """The analysed plan of the object holding ``Plan``; ``notes`` become info findings."""
    works = flatten(top["Plan"])
    execution_ms = _number(top.get("Execution Time", top.get("Total Runtime")))
    analyse(works, execution_ms)
    for work in works:
        assess(work)
    analysed = execution_ms is not None or "Actual Loops" in top["Plan"]
    root = build_tree(works, node_label)
    summary = _summary(top, execution_ms, root.inclusive_ms)
    if notes:
        repaired = "; ".join(notes)
        note = Finding("pasted-input", Severity.NONE, f"The pasted plan was repaired: {repaired}.")
        summary = replace(summary, findings=(*summary.findings, note))
    text = statement or str(top.get("Query Text") or "")
    return Plan(engine=ENGINE, statement=text, root=root, summary=summary, analysed=analysed)


def _top_object(data: object) -> Mapping[str, Any]:
    """The object holding ``Plan`` (and the top-level keys), from any accepted shape."""
    if isinstance(data, bytes | bytearray):
        data = data.decode("utf-8", errors="replace")
    if isinstance(data, str):
        data = json.loads(clean_paste(data).json_text or "null")
    if isinstance(data, Mapping) and "QUERY PLAN" in data:
        data = data["QUERY PLAN"]
    if isinstance(data, Sequence) and not isinstance(data, str):
        if len(data) != 1:
            raise PlanFormatError(f"expected one plan, got a list of {len(data)} items")
        data = data[0]
    if isinstance(data, Mapping):
        if isinstance(data.get("Plan"), Mapping):
            return data
        if "Node Type" in data:
            return {"Plan": data}
    raise PlanFormatError('this is not PostgreSQL EXPLAIN (FORMAT JSON) output (no "Plan" key)')


def _number(value: object) -> float | None:
    """A JSON number as float; ``None`` for anything else (absent, null, text)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _summary(
    top: Mapping[str, Any], execution_ms: float | None, root_ms: float | None
) -> PlanSummary:
    """Planning/execution time, triggers, JIT totals, settings and plan-wide findings."""
    triggers = tuple(
        _trigger(item) for item in top.get("Triggers") or () if isinstance(item, Mapping)
    )
    jit = _mapping(top.get("JIT"))
    timing = _mapping(jit.get("Timing"))
    jit_ms = _number(timing.get("Total"))
    functions = jit.get("Functions")
    settings_raw = top.get("Settings")
    settings = (
        {str(k): str(v) for k, v in settings_raw.items()}
        if isinstance(settings_raw, Mapping)
        else {}
    )
    total = execution_ms if execution_ms else root_ms
    return PlanSummary(
        planning_ms=_number(top.get("Planning Time")),
        execution_ms=execution_ms,
        triggers=triggers,
        jit_ms=jit_ms,
        jit_functions=int(functions) if isinstance(functions, int | float) else None,
        settings=settings,
        findings=summary_findings(triggers, jit_ms, total),
    )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _trigger(item: Mapping[str, Any]) -> TriggerTime:
    """One entry of the top-level ``Triggers`` list (``Time`` is absent with TIMING off)."""
    name = item.get("Trigger Name") or item.get("Constraint Name") or "trigger"
    constraint = item.get("Constraint Name")
    relation = item.get("Relation")
    return TriggerTime(
        name=str(name),
        relation=str(relation) if relation is not None else None,
        time_ms=_number(item.get("Time")) or 0.0,
        calls=int(_number(item.get("Calls")) or 0),
        constraint=str(constraint) if constraint is not None else None,
    )


_JOINS = frozenset({"Nested Loop", "Hash Join", "Merge Join"})
_STRATEGIES = frozenset({"Aggregate", "SetOp"})


def node_label(raw: Mapping[str, Any]) -> str:
    """A one-line description in the spirit of psql's text plans.

    Examples: ``Seq Scan on orders``, ``Parallel Seq Scan on orders o``,
    ``Index Scan using orders_pkey on orders``, ``Hash Join (Inner)``,
    ``Finalize Aggregate (Hashed)``, ``ModifyTable (Delete) on customers``.
    """
    node_type = str(raw.get("Node Type") or "?")
    words: list[str] = []
    if raw.get("Parallel Aware"):
        words.append("Parallel")
    if raw.get("Async Capable"):
        words.append("Async")
    mode = raw.get("Partial Mode")
    if mode and mode != "Simple":
        words.append(str(mode))
    words.append(node_type)
    detail = _detail(raw, node_type)
    if detail:
        words.append(f"({detail})")
    if raw.get("Scan Direction") == "Backward":
        words.append("Backward")
    return " ".join(words) + _target(raw, node_type)


def _detail(raw: Mapping[str, Any], node_type: str) -> str | None:
    """The parenthesised qualifier: operation, join type, strategy or provider."""
    if node_type == "ModifyTable":
        return _text(raw.get("Operation"))
    if node_type in _JOINS:
        return _text(raw.get("Join Type"))
    if node_type in _STRATEGIES:
        strategy = raw.get("Strategy")
        parts = [None if strategy == "Plain" else strategy, raw.get("Command")]
        return " ".join(str(p) for p in parts if p) or None
    if node_type == "Custom Scan":
        return _text(raw.get("Custom Plan Provider"))
    return None


def _target(raw: Mapping[str, Any], node_type: str) -> str:
    """`` using <index>`` and `` on <relation> <alias>`` as psql prints them."""
    index = raw.get("Index Name")
    alias = raw.get("Alias")
    if node_type == "Bitmap Index Scan":
        return f" on {index}" if index else ""
    text = f" using {index}" if index else ""
    name = raw.get("Relation Name") or raw.get("CTE Name") or raw.get("Function Name")
    name = name or raw.get("Table Function Name") or raw.get("Tuplestore Name")
    if name:
        schema = raw.get("Schema")
        qualified = f"{schema}.{name}" if schema and raw.get("Relation Name") else str(name)
        text += f" on {qualified}"
        if alias and alias != name:
            text += f" {alias}"
    elif alias:
        text += f" on {alias}"
    return text


def _text(value: object) -> str | None:
    return str(value) if value else None
