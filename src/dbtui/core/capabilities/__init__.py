"""Optional driver capabilities: small runtime-checkable protocols the UI asks a driver for.

The UI never names a concrete driver class or an engine: it checks
``isinstance(driver, Capability)`` on one of these protocols and shows the feature only
when the active connection has it, so a third-party driver that provides a protocol's
members gets the feature for free. One module per capability:

* :mod:`.quoting`: :class:`~.quoting.LiteralQuoting`, the SQL dialect of generated literals.
* :mod:`.keys`: :class:`~.keys.KeyBrowsing`, the key browser (scan, values, edits, live feeds).
* :mod:`.completion`: :class:`~.completion.NameCompletion`, :class:`~.completion.SqlCompletion`
  and :class:`~.completion.CommandCompletion`, the names the editor completes
  (:class:`~.completion.KeyNameCompletion`: key names; :class:`~.completion.CommandHelp`:
  the typed command's syntax).
* :mod:`.documents`: :class:`~.documents.DocumentEditing` (and its text form,
  :class:`~.documents.DocumentText`), editing stored documents one at a time.
* :mod:`.pipelines`: :class:`~.pipelines.PipelineEditing`, the aggregation pipeline editor.
* :mod:`.indexes`: :class:`~.indexes.IndexBuilding`, online index builds with progress.
* :mod:`.exporting`: :class:`~.exporting.ServerExport`, CSV exports formatted by the server.
* :mod:`.describing`: :class:`~.describing.Describing`, an object described like psql's ``\\d``.
* :mod:`.formatting`: :class:`~.formatting.Formatting`, SQL formatted by the engine's own grammar.
* :mod:`.starter`: :class:`~.starter.StarterText`, a new editor's examples.
* :mod:`.plans`: :class:`~.plans.PlanReading`, a pasted EXPLAIN output read as a plan.
* :mod:`.vectors`: :class:`~.vectors.NearestNeighbours` (a row's k nearest rows) and
  :class:`~.vectors.RecallCheck` (measured recall of a vector index suggestion).
"""

from __future__ import annotations

from dbtui.core.capabilities.completion import (
    ArgumentCandidates,
    CommandCompletion,
    CommandDoc,
    CommandHelp,
    CompletionKind,
    CompletionSource,
    KeyNameCompletion,
    NameCompletion,
    SqlCompletion,
)
from dbtui.core.capabilities.describing import Describing
from dbtui.core.capabilities.documents import DocumentEditing, DocumentText
from dbtui.core.capabilities.exporting import ServerExport, ServerExportUnavailable
from dbtui.core.capabilities.formatting import FormatError, Formatting
from dbtui.core.capabilities.indexes import IndexBuilding
from dbtui.core.capabilities.keys import KeyBrowsing, LiveCommands
from dbtui.core.capabilities.pipelines import PipelineEditing, PipelineTarget
from dbtui.core.capabilities.plans import PlanReading
from dbtui.core.capabilities.quoting import DEFAULT_SQL_DIALECT, LiteralQuoting, sql_dialect_of
from dbtui.core.capabilities.starter import StarterText
from dbtui.core.capabilities.vectors import NearestNeighbours, RecallCheck, RecallOutcome

__all__ = [
    "DEFAULT_SQL_DIALECT",
    "ArgumentCandidates",
    "CommandCompletion",
    "CommandDoc",
    "CommandHelp",
    "CompletionKind",
    "CompletionSource",
    "Describing",
    "DocumentEditing",
    "DocumentText",
    "FormatError",
    "Formatting",
    "IndexBuilding",
    "KeyBrowsing",
    "KeyNameCompletion",
    "LiteralQuoting",
    "LiveCommands",
    "NameCompletion",
    "NearestNeighbours",
    "PipelineEditing",
    "PipelineTarget",
    "PlanReading",
    "RecallCheck",
    "RecallOutcome",
    "ServerExport",
    "ServerExportUnavailable",
    "SqlCompletion",
    "StarterText",
    "sql_dialect_of",
]
