"""Find drivers through the ``dbtui.drivers`` entry-point group.

Built-in drivers register there exactly as a third-party driver would, so a
plugin package only needs::

    [project.entry-points."dbtui.drivers"]
    myengine = "my_package:ENGINE"      # an EngineInfo (see dbtui.core.engine_info)

Listing drivers does not import them; reading their :class:`EngineInfo` (URL schemes,
URL parser path) imports only the light module that defines it; :func:`load_driver`
imports one driver and its engine's libraries. An entry point naming a Driver class
directly (the older form) still works: its schemes are its ``url_schemes`` class
attribute (default: the engine name) and reading them imports the driver.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from dbtui.core.driver import Driver
from dbtui.core.engine_info import EngineInfo
from dbtui.core.errors import UnsupportedError
from dbtui.core.spec import ConnectionSpec

if TYPE_CHECKING:
    from dbtui.core.urlmask import UrlParser

GROUP = "dbtui.drivers"
_log = logging.getLogger(__name__)


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def engine_infos() -> dict[str, EngineInfo]:
    """Every registered engine's :class:`EngineInfo`, by engine name (cached).

    An entry point that cannot be read (a broken plugin) is left out, its error kept for
    :func:`load_driver` to report: one engine's problem never stops the others.
    """
    return dict(_engine_infos()[0])


def refresh() -> None:
    """Forget the cached entry points (after installing a plugin in this process)."""
    _engine_infos.cache_clear()


@lru_cache(maxsize=1)
def _engine_infos() -> tuple[tuple[tuple[str, EngineInfo], ...], dict[str, str]]:
    """((name, info) for each readable entry point, sorted), {name: error} for the others."""
    found: list[tuple[str, EngineInfo]] = []
    broken: dict[str, str] = {}
    for name, ep in sorted(_entry_points().items()):
        try:
            found.append((name, _info_from(name, ep, ep.load())))
        except Exception as exc:  # a plugin's import error must not break the others
            _log.debug("dbtui driver %r could not be read: %s", name, exc)
            broken[name] = f"{type(exc).__name__}: {exc}"
    return tuple(found), broken


def _info_from(name: str, ep: EntryPoint, obj: Any) -> EngineInfo:
    """``obj`` (what ``ep`` loaded) as an EngineInfo registered under ``name``."""
    if isinstance(obj, EngineInfo):
        return obj if obj.name == name else _renamed(obj, name)
    schemes = getattr(obj, "url_schemes", None) or (name,)
    return EngineInfo(
        name=name, title=name, schemes=tuple(s.lower() for s in schemes), driver=ep.value
    )


def _renamed(info: EngineInfo, name: str) -> EngineInfo:
    from dataclasses import replace

    return replace(info, name=name)


def engine_info(engine: str) -> EngineInfo | None:
    """The :class:`EngineInfo` registered as ``engine``, or None."""
    return dict(_engine_infos()[0]).get(engine)


def scheme_table() -> dict[str, str]:
    """URL scheme -> engine name, for every registered engine (first claim wins)."""
    table: dict[str, str] = {}
    for name, info in _engine_infos()[0]:
        for scheme in info.schemes:
            table.setdefault(scheme.lower(), name)
    return table


def engine_for_path(path: str) -> str | None:
    """The engine whose declared file suffix ``path`` ends with, or None."""
    for name, info in _engine_infos()[0]:
        if info.file_suffixes and path.endswith(info.file_suffixes):
            return name
    return None


def keyword_conninfo_engine() -> str | None:
    """The engine that reads libpq keyword strings (``host=... dbname=...``), or None."""
    for name, info in _engine_infos()[0]:
        if info.keyword_conninfo:
            return name
    return None


def url_parser(engine: str) -> UrlParser | None:
    """``engine``'s URL parser, or None; never raises.

    Taken from the engine's declared ``url_parser`` path (which imports only what parsing
    needs), else from the driver class's ``parse_url`` attribute.
    """
    info = engine_info(engine)
    if info is None:
        return None
    try:
        parser = info.load_url_parser()
        if parser is None:
            parser = getattr(load_driver(engine), "parse_url", None)
    except Exception:
        return None
    return parser if callable(parser) else None


def available_engines() -> list[str]:
    """Names of every registered driver, without importing any of them."""
    return sorted(_entry_points())


def load_driver(engine: str) -> type[Driver]:
    """Import and return the driver class registered as ``engine``.

    Raises:
        UnsupportedError: nothing is registered under that name, or the
            registered object cannot be imported or is not a Driver.
    """
    info = engine_info(engine)
    broken = _engine_infos()[1].get(engine)
    if info is None and broken is not None:
        raise UnsupportedError(
            f"the {engine} driver could not be loaded: {broken}", "Engine not available"
        )
    if info is None:
        raise UnsupportedError(
            f"no driver is installed for {engine!r} "
            f"(installed: {', '.join(available_engines()) or 'none'})",
            "Engine not available",
        )
    try:
        cls = info.load_driver()
    except (ImportError, AttributeError, ValueError) as exc:
        raise UnsupportedError(
            f"the {engine} driver could not be loaded: {exc}", "Engine not available"
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, Driver)):
        raise UnsupportedError(f"{info.driver} is not a dbtui Driver", "Engine not available")
    return cls


def open_driver(spec: ConnectionSpec) -> Driver:
    """Load the driver for ``spec``, create it and connect.

    Raises:
        DbtuiError: the engine is not available or the connection failed.
    """
    driver = load_driver(spec.engine)(spec)
    driver.connect()
    return driver
