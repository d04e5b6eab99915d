"""Core and drivers must not pull in the UI toolkit (also enforced by lint-imports).

The check runs in a fresh interpreter so modules imported by other tests cannot hide a leak.
It imports every module of ``dbtui.core`` and of every driver package that exists (a folder
under ``dbtui/drivers`` with an ``__init__.py``), then inspects ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dbtui

_PROBE = """
import importlib, json, pkgutil, sys
from pathlib import Path
import dbtui
root = Path(dbtui.__file__).parent
packages = ["dbtui.core"] + sorted(
    "dbtui.drivers." + init.parent.name for init in root.glob("drivers/*/__init__.py")
)
imported = []
for name in packages:
    pkg = importlib.import_module(name)
    imported.append(name)
    for info in pkgutil.walk_packages(pkg.__path__, name + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
leaked = sorted(
    {m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("textual", "rich")}
    | {m for m in sys.modules if m == "dbtui.ui" or m.startswith("dbtui.ui.")}
)
print(json.dumps({"imported": imported, "leaked": leaked}))
"""


def _probe() -> dict[str, list[str]]:
    """Run the import probe in a subprocess; returns imported module names and leaked ones."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, f"importing dbtui.core / dbtui.drivers failed:\n{proc.stderr}"
    result: dict[str, list[str]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_core_and_drivers_do_not_import_textual() -> None:
    result = _probe()
    assert "dbtui.core.driver" in result["imported"]
    assert result["leaked"] == [], f"core/drivers imported UI modules: {result['leaked']}"
    drivers_root = Path(dbtui.__file__).parent / "drivers"
    for init in drivers_root.glob("*/__init__.py"):
        assert f"dbtui.drivers.{init.parent.name}" in result["imported"]


HEAVY_ENGINE_LIBRARIES = ("psycopg", "pymongo", "bson", "redis", "pglast")
"""Engine libraries a SQLite session must not load (sqlparse is SQLite's own)."""

_SQLITE_SESSION = """
import asyncio, json, sqlite3, sys
from pathlib import Path

import dbtui.cli
from dbtui.core.spec import spec_from_url
from dbtui.ui.keys import all_binding_ids
import dbtui.ui.app
after_import = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)

path = Path(sys.argv[1])
with sqlite3.connect(path) as db:
    db.execute("CREATE TABLE shop_items (id INTEGER PRIMARY KEY, name TEXT)")
all_binding_ids()
spec = spec_from_url(str(path))

async def first_screen():
    from dbtui.ui.widgets.catalog.tree import CatalogTree

    app = dbtui.ui.app.DbtuiApp([(spec, None)])
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            tree = app.screen.query_one(CatalogTree)
            labels = [str(node.label) for node in walk(tree.root)]
            if any("shop_items" in label for label in labels):
                return labels
            for node in walk(tree.root):
                if node.allow_expand and not node.is_expanded:
                    node.expand()
    return labels

def walk(node):
    for child in node.children:
        yield child
        yield from walk(child)

labels = asyncio.run(first_screen())
after_session = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
print(json.dumps({"labels": labels, "after_import": after_import, "after_session": after_session}))
"""


def test_sqlite_session_imports_no_other_engine(tmp_path: Path) -> None:
    """``import dbtui.ui.app`` and a SQLite session up to its catalog load no other engine."""
    code = f"HEAVY = {HEAVY_ENGINE_LIBRARIES!r}\n" + _SQLITE_SESSION
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "shop.db")],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert any("shop_items" in label for label in result["labels"]), result["labels"]
    assert result["after_import"] == [], "import dbtui.ui.app loaded engine libraries"
    assert result["after_session"] == [], "a SQLite session loaded other engines' libraries"


_SCAN_BINDINGS = """
import importlib, inspect, json, pkgutil
from textual.binding import Binding
import dbtui.ui

ids = set()
for info in pkgutil.walk_packages(dbtui.ui.__path__, "dbtui.ui."):
    module = importlib.import_module(info.name)
    for _, cls in inspect.getmembers(module, inspect.isclass):
        for binding in vars(cls).get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
print(json.dumps(sorted(ids)))
"""


def test_static_binding_ids_match_the_ui() -> None:
    """``dbtui.ui.keys.BINDING_IDS`` lists exactly the ids of every UI class's ``BINDINGS``."""
    from dbtui.ui.keys import BINDING_IDS

    proc = subprocess.run(
        [sys.executable, "-c", _SCAN_BINDINGS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    scanned = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert len(scanned) > 50, "the scan found the UI's bindings"
    assert scanned - BINDING_IDS == set(), "add these ids to dbtui.ui.keys.BINDING_IDS"
    assert BINDING_IDS - scanned == set(), "remove these ids from dbtui.ui.keys.BINDING_IDS"
