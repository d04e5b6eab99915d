"""Optional driver capabilities: small runtime-checkable protocols the UI asks a driver for.

The UI never names a concrete driver class or an engine: it checks
``isinstance(driver, Capability)`` on one of these protocols and shows the feature only
when the active connection has it, so a third-party driver that provides a protocol's
members gets the feature for free. One module per capability:

* :mod:`.quoting`: :class:`~.quoting.LiteralQuoting`, the SQL dialect of generated literals.
* :mod:`.keys`: :class:`~.keys.KeyBrowsing`, the key browser (scan, values, edits, live feeds).
* :mod:`.completion`: :class:`~.completion.NameCompletion`, :class:`~.completion.SqlCompletion`
  and :class:`~.completion.CommandCompletion`, the names the editor completes.
* :mod:`.documents`: :class:`~.documents.DocumentEditing` (and its text form,
  :class:`~.documents.DocumentText`), editing stored documents one at a time.
* :mod:`.pipelines`: :class:`~.pipelines.PipelineEditing`, the aggregation pipeline editor.
* :mod:`.indexes`: :class:`~.indexes.IndexBuilding`, online index builds with progress.
* :mod:`.starter`: :class:`~.starter.StarterText`, a new editor's examples.
"""

from __future__ import annotations

from dbtui.core.capabilities.completion import (
    CommandCompletion,
    CompletionKind,
    CompletionSource,
    NameCompletion,
    SqlCompletion,
)
from dbtui.core.capabilities.documents import DocumentEditing, DocumentText
from dbtui.core.capabilities.indexes import IndexBuilding
from dbtui.core.capabilities.pipelines import PipelineEditing, PipelineTarget
from dbtui.core.capabilities.quoting import DEFAULT_SQL_DIALECT, LiteralQuoting, sql_dialect_of
from dbtui.core.capabilities.starter import StarterText

__all__ = [
    "DEFAULT_SQL_DIALECT",
    "CommandCompletion",
    "CompletionKind",
    "CompletionSource",
    "DocumentEditing",
    "DocumentText",
    "IndexBuilding",
    "LiteralQuoting",
    "NameCompletion",
    "PipelineEditing",
    "PipelineTarget",
    "SqlCompletion",
    "StarterText",
    "sql_dialect_of",
]
