"""What an engine declares about itself, readable without importing its libraries.

Every driver package registers an :class:`EngineInfo` in the ``dbtui.drivers``
entry-point group (see :mod:`dbtui.core.registry`). Reading it imports only the
module that defines it, which must import nothing heavy: the driver class and the
URL parser are named by ``"module:attribute"`` paths and imported only by
:meth:`EngineInfo.load_driver` / :meth:`EngineInfo.load_url_parser`.

A third-party engine declares itself exactly like the built-in ones::

    # my_package/__init__.py
    ENGINE = EngineInfo(name="fakedb", title="FakeDB", schemes=("fakedb",),
                        driver="my_package.driver:FakeDriver")

    # pyproject.toml
    [project.entry-points."dbtui.drivers"]
    fakedb = "my_package:ENGINE"

This module imports nothing of the project's, so it is safe to use from anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any


@dataclass(frozen=True)
class EngineInfo:
    """One engine's self-description.

    Attributes:
        name: The engine name (the entry-point name and ``ConnectionSpec.engine``).
        title: A human name for messages and pickers.
        schemes: The URL schemes the engine claims (lower case, without ``://``).
        driver: ``"module:Class"`` of the :class:`~dbtui.core.driver.Driver` subclass.
        url_parser: ``"module:function"`` of the engine's URL parser (a
            :data:`~dbtui.core.urlmask.UrlParser`), or None to mask conservatively.
        file_suffixes: A bare path with one of these endings opens with this engine.
        keyword_conninfo: The engine reads libpq keyword strings (``host=... dbname=...``).
        example_url: One URL shown in "expected e.g." hints.
    """

    name: str
    title: str
    schemes: tuple[str, ...]
    driver: str
    url_parser: str | None = None
    file_suffixes: tuple[str, ...] = ()
    keyword_conninfo: bool = False
    example_url: str = ""

    def load_driver(self) -> Any:
        """Import and return the object named by :attr:`driver` (the caller checks its type).

        Raises:
            ImportError, AttributeError, ValueError: the path cannot be imported.
        """
        return load_object(self.driver)

    def load_url_parser(self) -> Any:
        """Import and return the object named by :attr:`url_parser` (None when there is none).

        Raises:
            ImportError, AttributeError, ValueError: the path cannot be imported.
        """
        return load_object(self.url_parser) if self.url_parser else None


def load_object(path: str) -> Any:
    """Import ``"package.module:attr.sub"`` and return the attribute.

    Raises:
        ValueError: ``path`` has no ``:``.
        ImportError, AttributeError: the module or attribute does not exist.
    """
    module_name, sep, attrs = path.partition(":")
    if not sep or not attrs:
        raise ValueError(f"{path!r} is not of the form 'module:attribute'")
    obj: Any = import_module(module_name)
    for attr in attrs.split("."):
        obj = getattr(obj, attr)
    return obj
