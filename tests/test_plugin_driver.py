"""A third-party driver installed through the ``dbtui.drivers`` entry point plugs in like a
built-in one: it is found by its own URL scheme and the app opens it.

The plugin (``tests/plugins/fakedb``) is "installed" by writing its distribution metadata
(a ``.dist-info`` folder with ``entry_points.txt``) into a temporary folder put on the
``PYTHONPATH`` of a fresh interpreter, so nothing leaks into this test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PLUGIN_SOURCE = Path(__file__).parent / "plugins" / "fakedb"

_PROBE = """
import asyncio, json, sys
from dbtui.core.registry import available_engines
from dbtui.core.spec import spec_from_url

spec = spec_from_url("fakedb://alice:s3cret@host/db")
facts = {
    "engines": available_engines(),
    "engine": spec.engine,
    "display_url": spec.display_url,
    "name": spec.name,
    "driver_loaded_by_lookup": "fakedb_plugin.driver" in sys.modules,
}

async def catalog_labels():
    from dbtui.ui.app import DbtuiApp
    from dbtui.ui.widgets.catalog.tree import CatalogTree

    app = DbtuiApp([(spec, None)])
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            tree = app.screen.query_one(CatalogTree)
            labels = [str(node.label) for node in tree.root.children[0].children]
            if labels and "loading" not in labels[0]:
                return labels
    return labels

facts["catalog"] = asyncio.run(catalog_labels())
print(json.dumps(facts))
"""


def _install(site: Path, entry_points: str = "fakedb = fakedb_plugin:ENGINE\n") -> None:
    """Write the plugin's distribution metadata into ``site`` (a sys.path folder)."""
    dist_info = site / "fakedb_plugin-0.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fakedb-plugin\nVersion: 0.0\n"
    )
    (dist_info / "entry_points.txt").write_text("[dbtui.drivers]\n" + entry_points)


def _run(site: Path, code: str) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(PLUGIN_SOURCE)]))
    env["HOME"] = str(site)  # no user config or history from the machine running the tests
    env["XDG_CONFIG_HOME"] = str(site / "config")
    env["XDG_DATA_HOME"] = str(site / "data")
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_plugin_opens_by_its_own_scheme(tmp_path: Path) -> None:
    _install(tmp_path)
    facts = _run(tmp_path, _PROBE)
    assert "fakedb" in list(facts["engines"])  # type: ignore[call-overload]
    assert facts["engine"] == "fakedb"
    assert facts["display_url"] == "fakedb://alice:***@host/db"
    assert "s3cret" not in str(facts["name"])
    assert facts["driver_loaded_by_lookup"] is False, "reading the scheme imported the driver"
    catalog = [str(label).split()[-1] for label in facts["catalog"]]  # type: ignore[attr-defined]
    assert catalog == ["fake_moons", "fake_planets"], facts["catalog"]


def test_unknown_scheme_without_the_plugin(tmp_path: Path) -> None:
    code = (
        "import json\nfrom dbtui.core.errors import ConnectError\n"
        "from dbtui.core.spec import spec_from_url\n"
        "try:\n    spec_from_url('fakedb://x/y')\n    print(json.dumps({'error': ''}))\n"
        "except ConnectError as exc:\n    print(json.dumps({'error': str(exc)}))\n"
    )
    facts = _run(tmp_path, code)
    assert "unknown URL scheme 'fakedb://'" in str(facts["error"])
    assert "postgresql://" in str(facts["error"])


def test_literal_quoting_is_asked_of_the_driver(tmp_path: Path) -> None:
    """SQL exports spell literals in the dialect a driver declares, not by engine name."""
    from dbtui.core.capabilities import LiteralQuoting, sql_dialect_of
    from dbtui.core.spec import spec_from_url
    from dbtui.drivers.sqlite.driver import SqliteDriver

    sqlite = SqliteDriver(spec_from_url(f"sqlite://{tmp_path / 'x.db'}?mode=rwc"))
    assert isinstance(sqlite, LiteralQuoting)
    assert sql_dialect_of(sqlite) == "sqlite"
    assert sql_dialect_of(None) == "postgresql"  # no connection: the default spelling
    assert sql_dialect_of(object()) == "postgresql"


_OLDER_FORMS = """
import json
from dbtui.core.errors import UnsupportedError
from dbtui.core.registry import load_driver
from dbtui.core.spec import spec_from_url

facts = {"engine": spec_from_url("fakelegacy://h/d").engine,
         "class": load_driver("fakelegacy").__name__,
         "sqlite": spec_from_url("x.db").engine}
try:
    load_driver("fakebroken")
    facts["broken"] = ""
except UnsupportedError as exc:
    facts["broken"] = str(exc)
print(json.dumps(facts))
"""


def test_driver_class_entry_point_and_broken_plugin(tmp_path: Path) -> None:
    """An entry point naming a Driver class still works (scheme = its name); a broken one
    is reported when asked for and does not stop the other engines."""
    _install(
        tmp_path,
        "fakelegacy = fakedb_plugin.driver:FakeDriver\nfakebroken = fakedb_plugin.missing:ENGINE\n",
    )
    facts = _run(tmp_path, _OLDER_FORMS)
    assert facts["engine"] == "fakelegacy"
    assert facts["class"] == "FakeDriver"
    assert facts["sqlite"] == "sqlite"
    assert "could not be loaded" in str(facts["broken"])
    assert "fakedb_plugin.missing" in str(facts["broken"])
