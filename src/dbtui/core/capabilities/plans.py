"""The :class:`PlanReading` capability: a plan the user pasted, read without a server."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from dbtui.core.plan import Plan


@runtime_checkable
class PlanReading(Protocol):
    """A driver that reads its engine's EXPLAIN output from text (pure, no I/O).

    ``read_plan(text)`` returns the analysed plan of ``text`` as the user pasted it (any
    output format the engine prints), the same :class:`Plan` an EXPLAIN on the server
    gives, or raises :class:`~dbtui.core.plans.errors.PlanFormatError` whose message
    says why and names the line where it can.
    """

    def read_plan(self, text: str) -> Plan:
        """The plan in ``text``; raises ``PlanFormatError`` on text that is not one."""
        ...
