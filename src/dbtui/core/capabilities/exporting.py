"""Server-side export: a driver that has the server format a whole result as CSV.

The UI's CSV export formats every value in Python (:func:`dbtui.core.export.write_csv`),
which costs microseconds per field. A driver whose engine can produce CSV itself
(PostgreSQL's ``COPY (query) TO STDOUT (FORMAT csv)``) offers :class:`ServerExport`:
the statement runs again on the server and its CSV bytes are streamed straight into
the file, with progress and cancel. The UI asks ``isinstance(driver, ServerExport)`` and
falls back to the row path when the driver raises :class:`ServerExportUnavailable`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import BinaryIO, Protocol, runtime_checkable

ExportProgressCallback = Callable[[int, int], None]
"""Called with ``(rows, bytes)`` written so far (from the exporting thread)."""


class ExportCancelled(Exception):
    """The user cancelled the export."""


class ServerExportUnavailable(Exception):
    """The server cannot export this statement itself (not a plain query, wrong state...).

    Raised before anything is written to the output: the caller uses its own path.
    """


@runtime_checkable
class ServerExport(Protocol):
    """Exports a query's whole result as CSV formatted by the server (blocking: call in a worker)."""

    def export_csv(
        self,
        statement: str,
        out: BinaryIO,
        progress: ExportProgressCallback,
        cancelled: threading.Event,
    ) -> int:
        """Run ``statement`` again and write its whole result to ``out`` as UTF-8 CSV.

        A header line of column names, then one line per row, NULL as an empty field,
        quoting as :func:`dbtui.core.export.write_csv` does. Runs under the session's
        read-only mode and inside its open transaction, if any (an error or a cancel
        does not abort that transaction).

        Returns:
            The number of rows written.

        Raises:
            ServerExportUnavailable: ``statement`` is not a plain query, or the session
                cannot run it now; nothing was written.
            ExportCancelled: ``cancelled`` was set (checked as data arrives); ``out``
                holds a partial export.
            DbtuiError: the server failed (``out`` may hold a partial export).
        """
        ...
