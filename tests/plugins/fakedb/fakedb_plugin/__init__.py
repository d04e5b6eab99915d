"""A third-party dbtui engine used by tests/test_plugin_driver.py.

Only the light descriptor lives here: dbtui reads it (URL schemes, URL parser path)
without importing :mod:`fakedb_plugin.driver`.
"""

from __future__ import annotations

from dbtui.core.engine_info import EngineInfo

ENGINE = EngineInfo(
    name="fakedb",
    title="FakeDB",
    schemes=("fakedb",),
    driver="fakedb_plugin.driver:FakeDriver",
    url_parser="fakedb_plugin.urls:parse_url",
    example_url="fakedb://host/db",
)
