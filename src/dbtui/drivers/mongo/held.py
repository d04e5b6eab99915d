"""MongoDB writes held (unsent) until the user confirms them: the bounded count.

MongoDB has no transaction to run a standalone write in and roll back, so a
``deleteMany``/``updateMany`` is judged *before* it is sent: the documents its
filter matches are counted, stopping at ``confirm_over + 1`` so the count
stays cheap on a big collection (the question then says "more than N").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbtui.core.writes import PendingWrite, should_hold
from dbtui.drivers.mongo.commands import MongoCommand
from dbtui.drivers.mongo.connection import CLIENT_ERRORS, MongoClient, translate
from dbtui.drivers.mongo.runner import Target
from dbtui.drivers.mongo.safety import confirmation, count_options, counted_filter


@dataclass(frozen=True)
class HeldCommand:
    """A counted command waiting for the user's answer, and where it would run."""

    pending: PendingWrite
    command: MongoCommand
    target: Target


def check(
    client: MongoClient,
    command: MongoCommand,
    target: Target,
    *,
    confirm_over: int,
    max_time_ms: int,
) -> HeldCommand | None:
    """Count what ``command`` would change; a :class:`HeldCommand` when it must be confirmed.

    ``None`` for commands that are not counted, and for counted ones that
    match at most ``confirm_over`` documents (and any, for an empty filter:
    never ``{}`` without a yes).

    Raises:
        QueryError: the count failed or took longer than ``max_time_ms``
            (nothing was sent).
    """
    filter_ = counted_filter(command)
    if filter_ is None or target.collection is None:
        return None
    name = f"{target.database}.{target.collection}"
    options: dict[str, Any] = count_options(command)
    try:
        matched = client[target.database][target.collection].count_documents(
            filter_, limit=confirm_over + 1, maxTimeMS=max_time_ms, **options
        )
    except CLIENT_ERRORS as exc:
        raise translate(exc, f"counting the documents {command.operation} would change") from None
    whole = not filter_
    if not should_hold(matched, whole=whole, confirm_over=confirm_over):
        return None
    needed = confirmation(command, target.database, target.collection)
    pending = PendingWrite(
        statement=command.text,
        verb=command.operation,
        target=name,
        affected=min(matched, confirm_over),
        capped=matched > confirm_over,
        whole=whole,
        ran=False,
        typed=needed.typed if needed is not None else None,
        unit="document",
    )
    return HeldCommand(pending, command, target)
