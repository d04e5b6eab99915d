"""Testing a saved connection: connect in a worker, report one line, prompt for a password.

Shared by the connection list and the connection form through
:class:`TestsConnections`. A password typed at the prompt is used for that
one attempt and forgotten; it never reaches the config.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Generic, TypeVar

from textual.message import Message
from textual.screen import ModalScreen

from dbtui.core.config import Config, SavedConnection, saved_spec
from dbtui.core.errors import DbtuiError, PasswordRequired
from dbtui.core.registry import load_driver, open_driver
from dbtui.core.spec import ConnectionSpec, with_connect_timeout
from dbtui.ui.screens.dialogs import PasswordScreen

ResultT = TypeVar("ResultT")


@dataclass
class ConnectionTested(Message):
    """A test connection finished: ``server`` on success ("PostgreSQL 16.4"), else ``error``."""

    name: str
    spec: ConnectionSpec
    server: str
    error: DbtuiError | None


def spec_of(entry: SavedConnection) -> ConnectionSpec:
    """The spec dbtui would open for ``entry`` (password from ``password_env`` if set).

    Raises:
        DbtuiError: the URL is not one dbtui can open.
    """
    return saved_spec(Config(path=Path("<form>"), connections=(entry,)), entry.name)


def try_connect(
    post: Callable[[Message], object], name: str, spec: ConnectionSpec, password: str | None
) -> None:
    """Worker body: connect, note the server, close; post :class:`ConnectionTested`."""
    try:
        driver = load_driver(spec.engine)(spec) if password is not None else None
        if driver is not None:
            driver.set_password(password)
            driver.connect()
        else:
            driver = open_driver(spec)
    except DbtuiError as error:
        post(ConnectionTested(name, spec, "", error))
        return
    server = f"{driver.display_name} {driver.server_version}".strip()
    with contextlib.suppress(DbtuiError):
        driver.close()
    post(ConnectionTested(name, spec, server, None))


class TestsConnections(ModalScreen[ResultT], Generic[ResultT]):
    """A dialog that can test a connection; subclasses provide :meth:`status`."""

    connect_timeout: float | None = None
    """Seconds a test may take to connect (the app's setting); ``None``: the spec's own."""

    def status(self, text: str, style: str = "") -> None:
        """Show one line of feedback (subclasses put it in their status line)."""
        raise NotImplementedError

    def try_entry(self, entry: SavedConnection) -> None:
        """Start a test connection for ``entry`` in a worker."""
        try:
            spec = spec_of(entry)
        except DbtuiError as error:
            self.status(f"✖ {entry.name}: {error.one_line()}", "red")
            return
        self.try_spec(entry.name, spec)

    def try_spec(self, name: str, spec: ConnectionSpec, password: str | None = None) -> None:
        """Connect to ``spec`` in a worker (with ``password`` after a prompt)."""
        self.status(f"Connecting to {spec.display_url}…", "yellow")
        if self.connect_timeout is not None:
            spec = with_connect_timeout(spec, self.connect_timeout)
        job = partial(try_connect, self.post_message, name, spec, password)
        self.run_worker(
            job, thread=True, group="test", description="test connection", exit_on_error=False
        )

    def report_test(self, event: ConnectionTested) -> None:
        """Show the outcome; prompt for a password when the server asks for one."""
        if isinstance(event.error, PasswordRequired):
            question = f"Password for {event.spec.display_url}"
            if event.error.rejected:
                question = f"Wrong password. {question}"
            self.status(f"{event.name}: the server wants a password.", "yellow")

            def retry(password: str | None) -> None:
                if password is not None:
                    self.try_spec(event.name, event.spec, password)

            self.app.push_screen(PasswordScreen(question), retry)
            return
        if event.error is not None:
            self.status(f"✖ {event.name}: {event.error.one_line()}", "red")
        else:
            self.status(f"✓ {event.name}: connected to {event.server}.", "green")
