"""Plain-text and JSON forms of index advice, for ``dbtui advise`` and copying."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from enum import Enum

from dbtui.core.advice import Advice, HealthFinding, Suggestion
from dbtui.core.plan import Plan
from dbtui.core.plans.text import to_json as plan_to_json


def size_text(size: int | None) -> str:
    """Bytes as in the advisors' own evidence ("25.0 MiB"); empty for ``None``."""
    from dbtui.core.advisor.evidence import size_text as evidence_size_text  # imports pglast

    return "" if size is None else evidence_size_text(size)


def rank_suggestions(suggestions: Sequence[Suggestion]) -> list[Suggestion]:
    """Best first: time saved over the workload, then share of cost saved."""
    return sorted(
        suggestions,
        key=lambda s: (-(s.benefit_ms or 0.0), -(s.saving or 0.0), s.target, s.ddl),
    )


def suggestion_headline(suggestion: Suggestion) -> str:
    """One line: the saving and how it was checked."""
    parts = [suggestion.confidence.value]
    if suggestion.saving is not None:
        parts.append(f"cost {suggestion.cost_before:,.0f} → {suggestion.cost_after:,.0f}")
        parts.append(f"{suggestion.saving_label} cheaper")
    if suggestion.benefit_ms is not None:
        parts.append(f"saves ~{suggestion.benefit_ms:,.0f} ms over the workload")
    if suggestion.size_bytes is not None:
        parts.append(f"size ~{size_text(suggestion.size_bytes)}")
    return " · ".join(parts)


def render_suggestions(suggestions: Sequence[Suggestion], width: int = 100) -> str:
    """Numbered suggestions with DDL, reason, evidence and notes."""
    if not suggestions:
        return nothing_found(suggestions, width)
    lines: list[str] = []
    for number, suggestion in enumerate(rank_suggestions(suggestions), 1):
        lines.append(f"[{number}] {suggestion.ddl}")
        lines.append(f"    {suggestion_headline(suggestion)}")
        for text in (suggestion.reason, *suggestion.evidence, suggestion.note):
            if text:
                lines.extend(
                    textwrap.wrap(text, width, initial_indent="    ", subsequent_indent="      ")
                )
        lines.append("")
    return "\n".join(lines).rstrip()


def nothing_found(suggestions: Sequence[Suggestion], width: int = 100) -> str:
    """The message for an empty answer: what was tried and why each candidate was rejected
    (from :attr:`dbtui.core.advice.Advice.tried`), or a plain sentence when not known."""
    tried = suggestions.tried if isinstance(suggestions, Advice) else ()
    if not tried:
        return "No index suggestions."
    lines = ["No index suggestions. What was tried:"]
    for line in tried:
        lines.extend(textwrap.wrap(line, width, initial_indent="  - ", subsequent_indent="    "))
    return "\n".join(lines)


def render_health(findings: Sequence[HealthFinding], width: int = 100) -> str:
    """Health findings, most severe first, each with its fix."""
    if not findings:
        return "No index-health findings."
    lines: list[str] = []
    ordered = sorted(findings, key=lambda f: (-int(f.severity), f.kind.value, f.target))
    for finding in ordered:
        lines.append(f"{finding.kind.value}: {finding.subject} on {finding.target}")
        lines.extend(
            textwrap.wrap(finding.detail, width, initial_indent="    ", subsequent_indent="    ")
        )
        if finding.frees_bytes:
            lines.append(f"    frees ~{size_text(finding.frees_bytes)}")
        if finding.costs_bytes:
            lines.append(f"    costs ~{size_text(finding.costs_bytes)}")
        if finding.ddl:
            lines.append(f"    fix: {finding.ddl}")
        lines.append("")
    return "\n".join(lines).rstrip()


def to_json(value: object) -> object:
    """Suggestions, findings (or lists of them) as JSON-ready data; plans in full."""
    if isinstance(value, Plan):
        return plan_to_json(value)
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        data = {f.name: to_json(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, Suggestion):
            data["saving"] = value.saving
        return data
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    return value
