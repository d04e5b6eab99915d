"""Pipeline editing: a driver that runs aggregation pipelines of documents on a collection.

The UI's pipeline editor asks the driver what the statement under the cursor
already says (:meth:`PipelineEditing.pipeline_target`), lets the user edit the stages
one document each (in the :class:`~.documents.DocumentText` syntax), and asks the
driver for the command text that runs them (:meth:`PipelineEditing.pipeline_command`),
which goes into the editor and runs like any other statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from dbtui.core.capabilities.documents import DocumentText

Doc = dict[str, Any]


@dataclass(frozen=True)
class PipelineTarget:
    """What a statement says about a pipeline to edit.

    Attributes:
        database: The database the statement names; ``None`` when it names none.
        collection: The collection it names; ``None`` when it names none.
        stages: The stages of the statement when it is already an aggregation
            (the editor then replaces it); ``None`` when it is anything else.
        allow_disk_use: The aggregation lets the server spill to disk.
    """

    database: str | None = None
    collection: str | None = None
    stages: tuple[object, ...] | None = None
    allow_disk_use: bool = False


@runtime_checkable
class PipelineEditing(DocumentText, Protocol):
    """Edit and run aggregation pipelines (no I/O in any member)."""

    def pipeline_target(self, statement: str) -> PipelineTarget:
        """What ``statement`` says; an empty target when it is not a valid command."""
        ...

    def current_namespace(self) -> tuple[str, str | None]:
        """The current database and collection (``None``: no collection chosen yet)."""
        ...

    def pipeline_command(
        self, database: str, collection: str, stages: Sequence[Doc], allow_disk_use: bool
    ) -> str:
        """The statement that runs ``stages`` on ``database.collection``."""
        ...
