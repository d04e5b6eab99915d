"""Completion names of a MongoDB connection (the ``NameCompletion`` capability).

Collection names of the current database, and, only when asked (it reads up to
a thousand documents), the field paths of the current collection's sampled schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dbtui.core.capabilities.completion import CompletionKind, CompletionSource
from dbtui.drivers.mongo.catalog import collection_infos

if TYPE_CHECKING:
    from dbtui.drivers.mongo.driver import MongoDriver


def completion_source(
    driver: MongoDriver, sample_fields: bool, previous: CompletionSource | None
) -> CompletionSource:
    """The collections of ``driver``'s current database and the fields of its collection.

    Sampled fields are kept from ``previous`` when it sampled the same collection
    and no new sample is asked for.

    Raises:
        QueryError: listing the collections or sampling failed.
    """
    database = driver.current_database
    names = tuple(str(info["name"]) for info in collection_infos(driver.client, database))
    current = driver.current_collection
    fields: Sequence[str] = ()
    fields_of = ""
    if sample_fields and current:
        report = driver.sample_schema(database, current)
        fields = tuple(f.path for f in report.walk())
        fields_of = f"{database}.{current}"
    elif previous is not None and previous.fields_of == f"{database}.{current}":
        fields, fields_of = previous.fields, previous.fields_of
    return CompletionSource(
        CompletionKind.DOCUMENTS,
        collections=names,
        fields=fields,
        database=database,
        fields_of=fields_of,
    )
