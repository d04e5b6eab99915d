"""Core and drivers must not pull in the UI toolkit (also enforced by lint-imports).

The check runs in a fresh interpreter so modules imported by other tests cannot hide a leak.
It imports every module of ``dbtui.core`` and of every driver package that exists (a folder
under ``dbtui/drivers`` with an ``__init__.py``), then inspects ``sys.modules``.
"""

from __future__ import annotations

import json
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
