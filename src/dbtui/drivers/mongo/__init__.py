"""MongoDB driver (pymongo): catalog, sampled schema, shell-style commands, editing.

Modules: :mod:`.syntax` (relaxed values, never evaluated), :mod:`.commands`
(command lines), :mod:`.splitting` (editor buffers), :mod:`.safety` (writes and
confirmations), :mod:`.connection`, :mod:`.catalog`, :mod:`.details`,
:mod:`.runner` and :mod:`.operations` (execution), :mod:`.explaining`,
:mod:`.inference` (pure schema analysis), :mod:`.schema` (sampling),
:mod:`.editing`, :mod:`.export` (Extended JSON and mongosh text), :mod:`.driver`.

This package module is light: it only declares :data:`ENGINE` (the ``mongodb`` entry
point). The names below are still importable from here, loaded (with pymongo) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dbtui.core.engine_info import EngineInfo

if TYPE_CHECKING:
    from dbtui.drivers.mongo.driver import MongoDriver
    from dbtui.drivers.mongo.export import document_to_extended_json, to_extended_json, to_shell

ENGINE = EngineInfo(
    name="mongodb",
    title="MongoDB",
    schemes=("mongodb", "mongodb+srv"),
    driver="dbtui.drivers.mongo.driver:MongoDriver",
    url_parser="dbtui.drivers.mongo.urls:parse_url",
    example_url="mongodb://host",
)

__all__ = ["ENGINE", "MongoDriver", "document_to_extended_json", "to_extended_json", "to_shell"]

_LAZY = {
    "MongoDriver": "dbtui.drivers.mongo.driver",
    "document_to_extended_json": "dbtui.drivers.mongo.export",
    "to_extended_json": "dbtui.drivers.mongo.export",
    "to_shell": "dbtui.drivers.mongo.export",
}


def __getattr__(name: str) -> Any:
    """Load the driver and export helpers only when asked for (PEP 562)."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
