"""Profile dbtui's CSV export code path (what the export dialog's worker runs) with cProfile.

``python -m onscreen.profile_export URL TABLE [OUT]``: runs ``SELECT * FROM TABLE`` through
``PostgresDriver``, then :func:`dbtui.ui.export_job.run_export` to a CSV file in the main
thread (the dialog runs it in a thread worker, which cProfile would not see), and prints
the functions with the most own time and the wall time.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import threading
import time
from pathlib import Path

from dbtui.core.results import RowsResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.postgres import PostgresDriver
from dbtui.ui.export_job import ExportRequest, run_export, source_of


def main() -> None:
    """Export once under cProfile and print the top of the profile."""
    url, table = sys.argv[1], sys.argv[2]
    out = Path(sys.argv[3] if len(sys.argv) > 3 else "/tmp/dbtui-profile-export.csv")
    driver = PostgresDriver(spec_from_url(url))
    driver.connect()
    result = next(iter(driver.execute(f"SELECT * FROM {table}")))
    assert isinstance(result, RowsResult)
    loaded = result.rows.fetch(500)
    source = source_of(result, loaded, "postgresql")
    assert source is not None
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    outcome = run_export(source, ExportRequest("csv", out), threading.Event(), lambda _n: None)
    profile.disable()
    print(f"exported {outcome.count:,} rows in {time.perf_counter() - started:.2f} s (profiled)")
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(15)
    out.unlink()
    driver.close()


if __name__ == "__main__":
    main()
