"""The Redis :class:`~dbtui.core.driver.Driver`.

Standalone servers, Sentinel-managed masters and Redis Cluster, over TCP,
TLS or a Unix socket (URL forms in :mod:`dbtui.drivers.redis.connection`).
Besides the Driver protocol (catalog, console ``execute``, ``cancel``) it
hands the UI a :class:`~dbtui.drivers.redis.browser.RedisKeyBrowser` per database (the
KeyBrowsing capability) and a :class:`~dbtui.drivers.redis.connection.Keyspace` per
database, which the key browser modules (``scanner``, ``meta``, ``values``,
``edits``, ``server``) take as their first argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import redis

from dbtui.core.capabilities.completion import ArgumentCandidates
from dbtui.core.catalog import CatalogNode
from dbtui.core.confirmation import Confirmation
from dbtui.core.driver import Capabilities, Driver
from dbtui.core.errors import ConnectError, QueryError
from dbtui.core.results import Result, Statement
from dbtui.core.spec import ConnectionSpec, connect_timeout
from dbtui.drivers.redis.browser import RedisKeyBrowser
from dbtui.drivers.redis.catalog import database_entries, database_nodes
from dbtui.drivers.redis.connection import Connector, Keyspace
from dbtui.drivers.redis.console import Console
from dbtui.drivers.redis.docs import CommandHint, command_hint, command_names
from dbtui.drivers.redis.live import LiveRequest, live_request_for_line
from dbtui.drivers.redis.panels import PANELS
from dbtui.drivers.redis.server import server_info
from dbtui.drivers.redis.urls import parse_url

_LINE = re.compile(r"[^\n]+")

CONTAINER_COMMANDS = (
    "ACL",
    "CLIENT",
    "CLUSTER",
    "COMMAND",
    "CONFIG",
    "FUNCTION",
    "LATENCY",
    "MEMORY",
    "MODULE",
    "OBJECT",
    "PUBSUB",
    "SCRIPT",
    "SLOWLOG",
    "XGROUP",
    "XINFO",
)
"""Commands that take a subcommand (``CONFIG GET``); completion lists their subcommands."""


class RedisDriver(Driver):
    """Redis (standalone, Sentinel, Cluster) through redis-py with hiredis."""

    engine = "redis"
    parse_url = staticmethod(parse_url)
    """Masking and naming hook of :func:`dbtui.core.spec.url_facts` (engine's own URL rules)."""
    display_name = "Redis"
    language = "redis"
    capabilities = Capabilities(cancel=True)
    container_commands: Sequence[str] = CONTAINER_COMMANDS
    """:class:`~dbtui.core.capabilities.CommandCompletion`: commands whose subcommands
    completion lists."""

    @classmethod
    def starter_text(cls, spec: ConnectionSpec) -> str:
        """:class:`~dbtui.core.capabilities.StarterText`: a new editor's examples."""
        return "# F5 runs the command under the cursor.\nINFO keyspace\n"

    def __init__(self, spec: ConnectionSpec) -> None:
        super().__init__(spec)
        self._connector: Connector | None = None
        self._console: Console | None = None
        self._version = ""

    def connect(self) -> None:
        """Open the connection (detects cluster mode).

        Raises:
            PasswordRequired: the server wants a password (or refused it): prompt,
                call :meth:`set_password` and connect again.
            ConnectError: unreachable server or unusable URL (one line).
        """
        connector = Connector(
            self.spec.url,
            self.spec.display_url,
            self._password,
            connect_timeout=connect_timeout(self.spec),
        )
        connector.open()
        self._connector = connector
        self._console = Console(connector, self.spec.read_only)
        try:
            node = connector.keyspace(connector.default_db, False).nodes()[0]
            self._version = server_info(node, "server").get("server", {}).get("redis_version", "")
        except QueryError:
            self._version = ""

    def close(self) -> None:
        """Close every connection; safe to call twice."""
        if self._console is not None:
            self._console.close()
            self._console = None
        if self._connector is not None:
            self._connector.close()
            self._connector = None

    @property
    def connector(self) -> Connector:
        """The open connection's clients.

        Raises:
            ConnectError: :meth:`connect` was not called (or the driver was closed).
        """
        if self._connector is None:
            raise ConnectError(f"{self.spec.display_url}: not connected")
        return self._connector

    @property
    def console(self) -> Console:
        """The console (its current database is ``console.db``)."""
        if self._console is None:
            raise ConnectError(f"{self.spec.display_url}: not connected")
        return self._console

    @property
    def connect_warning(self) -> str | None:
        """What the user must know about this connection (TLS checks off), else ``None``."""
        return None if self._connector is None else self._connector.tls_warning

    @property
    def is_cluster(self) -> bool:
        """True when connected to a Redis Cluster."""
        return self.connector.cluster is not None

    @property
    def default_db(self) -> int:
        """The database named in the URL (0 when none; always 0 for a cluster)."""
        return self.connector.default_db

    def keyspace(self, db: int | None = None) -> Keyspace:
        """The keys of database ``db`` (the URL's database by default) for the browser modules.

        Carries the connection's read-only flag, which every write checks.

        Raises:
            QueryError: ``db`` is not 0 on a cluster.
        """
        connector = self.connector
        return connector.keyspace(connector.default_db if db is None else db, self.spec.read_only)

    def key_browser(self, db: int | None = None) -> RedisKeyBrowser:
        """The key browser's view of database ``db`` (the URL's by default): the
        :class:`~dbtui.core.capabilities.keys.KeyBrowsing` capability.

        Raises:
            ConnectError: not connected.
            QueryError: ``db`` is not 0 on a cluster.
        """
        return RedisKeyBrowser(self.keyspace(db))

    def console_key_browser(self) -> RedisKeyBrowser:
        """The key browser of the console's current database (where a live pane listens)."""
        return self.key_browser(self.console.db)

    def details(self, node: CatalogNode) -> Sequence[tuple[str, str]]:
        """Server panels (INFO dashboard, SLOWLOG, CLIENT LIST) and database facts."""
        if len(node.key) == 3 and node.key[0] == "db" and node.key[2] in PANELS:
            return PANELS[node.key[2]](self.keyspace(int(node.key[1])))
        return node.meta

    def children(self, node: CatalogNode | None) -> Sequence[CatalogNode]:
        """Databases at the top; under a database the Keys entry and the server panels."""
        if node is None:
            return database_nodes(self.connector)
        if node.key[:1] == ("db",) and len(node.key) == 2:
            return database_entries(node.key[1])
        return []

    def split(self, script: str) -> list[Statement]:
        """One command per non-empty line (redis-cli has no multi-line commands)."""
        statements = []
        for match in _LINE.finditer(script):
            text = match.group()
            stripped = text.strip()
            if not stripped or stripped.startswith("#"):
                continue
            start = match.start() + (len(text) - len(text.lstrip()))
            statements.append(Statement(stripped, start, start + len(stripped)))
        return statements

    def execute(self, statement: str) -> Iterator[Result]:
        """Run one console command line (redis-cli quoting) and yield its :class:`ReplyResult`.

        Blocking and streaming commands are refused (the streaming ones with
        :class:`~dbtui.drivers.redis.live.LiveCommand`, whose ``request`` a
        live pane runs; :meth:`live_request` tells them apart beforehand); on
        a read-only connection anything the server does not flag read-only is
        refused before it is sent. Ask :meth:`needs_confirmation` first for
        commands that deserve a confirmation.

        Raises:
            QueryError: bad quoting, a refused command, or the server's error reply.
            LiveCommand: the line streams without end (MONITOR, SUBSCRIBE...).
            ReadOnlyError: a write on a read-only connection.
            CancelledError: :meth:`cancel` interrupted it.
        """
        yield self.console.run(statement)

    def live_request(self, command_line: str) -> LiveRequest | None:
        """The live pane ``command_line`` needs (MONITOR, SUBSCRIBE..., XREAD BLOCK), or ``None``.

        Pure (no network): decided from the words; a line that does not parse
        is ``None`` (the console then reports the problem).
        """
        return live_request_for_line(command_line)

    def needs_confirmation(self, command_line: str) -> Confirmation | None:
        """What to confirm before :meth:`execute` of ``command_line``, or ``None`` (see
        :meth:`.console.Console.needs_confirmation`: FLUSHDB / FLUSHALL need their name typed)."""
        return self.console.needs_confirmation(command_line)

    def cancel(self) -> None:
        """Abort the running console command (closes its connection; best effort)."""
        if self._console is not None:
            self._console.cancel()

    def _home_client(self) -> redis.Redis:
        return self.keyspace(0 if self.is_cluster else None).nodes()[0].client

    def command_names(self) -> list[str]:
        """Every top-level command the server knows, for console completion (Redis 7+)."""
        return command_names(self._home_client())

    def command_hint(self, name: str) -> CommandHint | None:
        """Summary, since-version, complexity and syntax of ``name`` (``"hset"``, ``"config|get"``).

        ``None`` when the server does not know the command.
        """
        return command_hint(self._home_client(), name)

    def command_help(self, line: str) -> CommandHint | None:
        """:class:`~dbtui.core.capabilities.CommandHelp`: the help of the command ``line``
        types (see :meth:`.console.Console.command_help`; blocking, cached per command)."""
        return self.console.command_help(line)

    def key_name_candidates(self, line: str) -> ArgumentCandidates | None:
        """:class:`~dbtui.core.capabilities.KeyNameCompletion`: key names for the key
        argument ``line`` ends with (see :meth:`.console.Console.key_name_candidates`)."""
        return self.console.key_name_candidates(line)

    @property
    def server_version(self) -> str:
        """The server's ``redis_version`` (of the first master for a cluster)."""
        return self._version
