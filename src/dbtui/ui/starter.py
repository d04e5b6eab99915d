"""The text a new editor starts with: the driver's runnable examples.

The editor is drawn before the connection opens, so the examples are asked of the
driver *class* (:class:`~dbtui.core.capabilities.StarterText`), loaded through the
registry. A driver class without them, or one that cannot be loaded, starts empty.
"""

from __future__ import annotations

from dbtui.core.capabilities import StarterText
from dbtui.core.errors import DbtuiError
from dbtui.core.registry import load_driver
from dbtui.core.spec import ConnectionSpec
from dbtui.ui.session import Session


def initial_text(session: Session) -> str:
    """What a connection's editor opens with: its tabs saved last time, else examples.

    Fills ``session.tabs`` (once) and returns the text of the first tab.
    """
    if not session.tabs:
        try:
            saved = session.buffers.load()
        except OSError:
            saved = []
        session.tabs = saved or [starter_text(session.spec)]
        session.tab = 0
    return session.tabs[session.tab]


def starter_text(spec: ConnectionSpec) -> str:
    """Initial editor text for a connection ("" when its driver offers none)."""
    try:
        driver_class: object = load_driver(spec.engine)
    except DbtuiError:
        return ""
    if isinstance(driver_class, StarterText):
        return driver_class.starter_text(spec)
    return ""
