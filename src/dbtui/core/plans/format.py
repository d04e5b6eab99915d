"""How plan numbers read, for every engine and every view (pure: no Rich, no Textual).

The TUI's Plan tab, ``dbtui explain`` and the plan comparison all format through these
functions, so one node reads the same everywhere:

* counts (rows, loops, costs): thousands separators (``1,200``), fractions only below 10
  (PostgreSQL 18's per-loop averages), ``12.3M`` / ``12.3G`` from ten million / billion;
* durations: milliseconds with 3 decimals (``9.500``) below 10 s, whole ms above;
* shares: ``9.5%``; misestimates: ``↓10.0x`` (under-estimated) / ``↑2,500x`` (over);
* severity: the ladders of ``plans-and-advisors.md`` A.10 (share over 10 / 40 / 90 %,
  misestimate over 10 / 100 / 1000x give LOW / MEDIUM / HIGH), the marks ``!``/``!!``/``!!!``
  and the words ``low``/``medium``/``high``.
"""

from __future__ import annotations

import math

from dbtui.core.plan import Finding, Plan, Severity

TRIVIAL_MS = 1.0
"""A plan that ran in less than this (ms) is too short for time shares to mean "slow"."""
TRIVIAL_COST = 10.0
"""An estimate-only plan cheaper than this (a few pages) gets no cost-share severity."""
MISESTIMATE_SHOWN = 1.05
"""Misestimate factors below this are shown blank (the estimate was right)."""

MARKS = {Severity.NONE: "", Severity.LOW: "!", Severity.MEDIUM: "!!", Severity.HIGH: "!!!"}
WORDS = {
    Severity.NONE: "info",
    Severity.LOW: "low",
    Severity.MEDIUM: "medium",
    Severity.HIGH: "high",
}
FINDING_MARK = "⚠"
"""Put before the codes of a node's findings, in the tree and in the findings list."""


# -- numbers -----------------------------------------------------------------------------------


def count(value: float | None) -> str:
    """Rows, loops or costs: ``1,200``; ``0.50`` below 10; ``12.3M`` / ``4.6G`` when huge."""
    if value is None:
        return ""
    if not math.isfinite(value):
        return "∞" if value > 0 else "-∞"
    if abs(value) >= 10_000_000_000:
        return f"{value / 1_000_000_000:,.1f}G"
    if abs(value) >= 10_000_000:
        return f"{value / 1_000_000:,.1f}M"
    if value != int(value) and abs(value) < 10:
        return f"{value:.2f}"
    return f"{value:,.0f}"


def duration_ms(value: float | None) -> str:
    """Milliseconds: ``0.012``, ``9.500``, ``9,999.000``, then whole ``12,345`` from 10 s."""
    if value is None:
        return ""
    return f"{value:,.3f}" if value < 10_000 else f"{value:,.0f}"


def percent(share: float | None) -> str:
    """A 0..1 share as ``9.5%``; blank when unknown."""
    return "" if share is None else f"{share * 100:.1f}%"


def misestimate_text(factor: float | None, under: bool | None) -> str:
    """``↓12.3x`` (more rows than planned) or ``↑2,500x`` (fewer); blank when about right."""
    if factor is None or under is None or factor < MISESTIMATE_SHOWN:
        return ""
    arrow = "↓" if under else "↑"
    if not math.isfinite(factor):
        return f"{arrow}∞"
    return f"{arrow}{factor:,.1f}x" if factor < 100 else f"{arrow}{factor:,.0f}x"


# -- severities --------------------------------------------------------------------------------


def share_level(share: float | None) -> Severity:
    """Severity of a time or cost share (0..1): over 10 / 40 / 90 % gives 1 / 2 / 3."""
    if share is None:
        return Severity.NONE
    if share > 0.9:
        return Severity.HIGH
    if share > 0.4:
        return Severity.MEDIUM
    return Severity.LOW if share > 0.1 else Severity.NONE


def misestimate_level(factor: float | None) -> Severity:
    """Severity of a row misestimate factor: over 10 / 100 / 1000x gives 1 / 2 / 3."""
    if factor is None:
        return Severity.NONE
    if factor > 1000:
        return Severity.HIGH
    if factor > 100:
        return Severity.MEDIUM
    return Severity.LOW if factor > 10 else Severity.NONE


def trivial(total_ms: float | None, total_cost: float | None) -> bool:
    """True for a plan too small for shares to mean anything (``SELECT 1``).

    A timed plan is trivial when it ran under :data:`TRIVIAL_MS`; an untimed one when its
    estimated cost is under :data:`TRIVIAL_COST`. Unknown totals are not trivial.
    """
    if total_ms is not None:
        return total_ms < TRIVIAL_MS
    return total_cost is not None and total_cost < TRIVIAL_COST


def finding_codes(findings: tuple[Finding, ...]) -> str:
    """``⚠ sort-spill, row-misestimate``: how a node's findings are marked; "" when none."""
    if not findings:
        return ""
    return f"{FINDING_MARK} " + ", ".join(dict.fromkeys(f.code for f in findings))


# -- whole plan --------------------------------------------------------------------------------


def findings_total(plan: Plan) -> int:
    """Every finding of the plan: on its nodes and plan-wide."""
    return sum(len(node.findings) for node in plan.nodes()) + len(plan.summary.findings)


def plural(number: int, word: str) -> str:
    """``1 finding``, ``3 findings``."""
    return f"{number:,} {word}" + ("" if number == 1 else "s")


def summary_line(plan: Plan) -> str:
    """Engine, planning, execution, triggers, JIT, estimated cost, findings, settings.

    One line, parts joined with `` · ``, e.g. ``postgresql plan · analysed · planning
    0.200 ms · execution 100.000 ms · 2 findings``.
    """
    s = plan.summary
    parts = [f"{plan.engine} plan", "analysed" if plan.analysed else "estimated"]
    if s.planning_ms is not None:
        parts.append(f"planning {duration_ms(s.planning_ms)} ms")
    if s.execution_ms is not None:
        parts.append(f"execution {duration_ms(s.execution_ms)} ms")
    if s.triggers:
        total = sum(t.time_ms for t in s.triggers)
        parts.append(f"triggers {duration_ms(total)} ms ({len(s.triggers)})")
    if s.jit_ms is not None:
        functions = f", {plural(s.jit_functions, 'function')}" if s.jit_functions else ""
        parts.append(f"JIT {duration_ms(s.jit_ms)} ms{functions}")
    if not plan.analysed and plan.root.total_cost is not None:
        parts.append(f"estimated cost {count(plan.root.total_cost)}")
    parts.append(plural(findings_total(plan), "finding"))
    if s.settings:
        parts.append("settings " + ", ".join(f"{k}={v}" for k, v in s.settings.items()))
    return " · ".join(parts)


def ratio_words(before: float | None, after: float | None, measure: str = "time") -> str:
    """How the second total compares with the first, read the right way round.

    ``48x slower`` / ``3.2x faster`` for times, ``cheaper`` / ``more costly`` for costs,
    ``about the same`` within 5 %; "" when either total is unknown or zero.
    """
    if not before or not after or before < 0 or after < 0:
        return ""
    factor = max(before, after) / min(before, after)
    if factor < 1.05:
        return "about the same"
    amount = f"{factor:,.1f}x" if factor < 10 else f"{factor:,.0f}x"
    if measure == "time":
        return f"{amount} {'faster' if after < before else 'slower'}"
    return f"{amount} {'cheaper' if after < before else 'more costly'}"
