"""What the user must do before a statement is sent: the engine-neutral confirmation. No I/O.

Drivers answer ``needs_confirmation`` (and ``question_before``) with a
:class:`Confirmation`; the UI shows its question and detail, and when it has
``typed`` the Yes button stays disabled until the user typed exactly that text
(the name of the table, collection or database the statement destroys, or
``FLUSHDB``): a deliberate act that stray typing plus Tab and Enter cannot
produce.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_TYPED_NAMES = 3
"""At most this many names are typed; beyond, the user types their number instead."""


@dataclass(frozen=True)
class Confirmation:
    """A question to ask before a statement or command is sent.

    Attributes:
        question: One sentence ("Destructive: DROP TABLE t. Run it anyway?").
        detail: More context as plain text (may be empty); the UI adds the statement.
        typed: Exact text the user must type before Yes is possible (an object's
            name, names joined by ``", "``, a count, ``FLUSHALL``), or ``None`` when
            reaching Yes with Tab and pressing Enter is enough.
        yes_label: The Yes button's label.
    """

    question: str
    detail: str = ""
    typed: str | None = None
    yes_label: str = "Yes"


def typed_text(names: Sequence[str]) -> str | None:
    """The text to type to confirm destroying ``names`` (in statement order).

    The distinct names joined by ``", "`` when there are at most
    :data:`MAX_TYPED_NAMES`, else their number (``"5"``); ``None`` for no name.
    """
    distinct = list(dict.fromkeys(name for name in names if name))
    if not distinct:
        return None
    if len(distinct) > MAX_TYPED_NAMES:
        return str(len(distinct))
    return ", ".join(distinct)


def for_script(
    confirmations: Sequence[Confirmation], question: str = "Run this script?", shown: int = 5
) -> Confirmation | None:
    """One confirmation covering every statement of a script that needs one.

    The detail lists the first ``shown`` questions (and how many more). The text to
    type combines the statements' ``typed`` texts as :func:`typed_text` does (the
    names, or their number when more than :data:`MAX_TYPED_NAMES`); ``None`` when
    no statement needs a confirmation.
    """
    if not confirmations:
        return None
    lines = [c.question for c in confirmations[:shown]]
    if len(confirmations) > shown:
        lines.append(f"… and {len(confirmations) - shown} more")
    typed = typed_text([c.typed for c in confirmations if c.typed is not None])
    return Confirmation(question, "\n".join(lines), typed, "Run it" if typed else "Yes")
