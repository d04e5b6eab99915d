"""Starter text: what a new editor of a connection shows before anything is typed.

Asked of the driver *class* (the editor is drawn before the connection opens):
``isinstance(driver_class, StarterText)`` holds when the class defines
``starter_text`` as a class or static method.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from dbtui.core.spec import ConnectionSpec


@runtime_checkable
class StarterText(Protocol):
    """A driver class that offers a few runnable examples for a new editor."""

    def starter_text(self, spec: ConnectionSpec) -> str:
        """The examples for a connection to ``spec`` (comments in the engine's syntax)."""
        ...
