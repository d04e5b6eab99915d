"""Binding ids: every key binding of the UI has one, and the config can remap any of them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding

import dbtui.ui


def all_binding_ids() -> frozenset[str]:
    """The id of every binding defined anywhere in :mod:`dbtui.ui`.

    Imports every UI module and reads the ``BINDINGS`` each class defines
    itself, so a new widget's bindings are remappable without a list to keep.
    """
    ids: set[str] = set()
    for module_info in pkgutil.walk_packages(dbtui.ui.__path__, "dbtui.ui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            for binding in vars(cls).get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return frozenset(ids)
