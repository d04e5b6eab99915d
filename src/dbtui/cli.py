"""Command line entry point: ``dbtui [URL ...]`` and its subcommands.

Errors the user can cause before anything connects (an unknown scheme, an
unparsable URL, an unknown saved name, a bad config) print one line on stderr
and exit with status 2; they never show a traceback. The interactive command
then draws the window at once and connects every connection in the
background (each shows "connecting…", then its catalog or its error, in the
tree; ``r`` retries and password prompts appear inside the app). Without a
terminal (a script) it connects first and exits 2 when every connection fails.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from dbtui import __version__
from dbtui.core.config import Config, load_config, saved_spec
from dbtui.core.display import display_text
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError
from dbtui.core.registry import open_driver
from dbtui.core.spec import (
    DEFAULT_CONNECT_TIMEOUT_S,
    ConnectionSpec,
    require_parsable,
    spec_from_url,
    with_connect_timeout,
)

EXIT_USAGE = 2
EXIT_CRASH = 1

DESCRIPTION = """\
Explore PostgreSQL, MongoDB, Redis and SQLite side by side in one terminal.

With no URL, dbtui opens a built-in demo SQLite database.
URLs: sqlite:///path/to/file.db  postgresql://user@host:5432/db
      mongodb://host:27017/db    redis://host:6379/0
"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of the main (interactive) command."""
    parser = argparse.ArgumentParser(
        prog="dbtui",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Subcommands: dbtui explain --help, dbtui advise --help",
    )
    parser.add_argument(
        "urls", nargs="*", metavar="URL|NAME", help="connections to open (URLs or saved names)"
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="refuse writes (enforced before sending, and by the server where it can)",
    )
    parser.add_argument(
        "--connect-timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help="how long each connection waits for its server "
        "(default: [ui] connect_timeout in the config, else 10)",
    )
    parser.add_argument("--version", action="version", version=f"dbtui {__version__}")
    return parser


def _positive_seconds(text: str) -> float:
    """argparse type: a number of seconds, greater than 0 and at most an hour."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < seconds <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds from 0 to 3600")
    return seconds


def connect_timeout_for(args: argparse.Namespace, config: Config) -> float:
    """The connect timeout: ``--connect-timeout``, else the config's, else the default."""
    if args.connect_timeout is not None:
        return float(args.connect_timeout)
    if config.ui.connect_timeout is not None:
        return float(config.ui.connect_timeout)
    return DEFAULT_CONNECT_TIMEOUT_S


def _connect(spec: ConnectionSpec) -> Driver | DbtuiError:
    try:
        return open_driver(spec)
    except DbtuiError as exc:
        return exc


def connect_all(specs: Sequence[ConnectionSpec]) -> list[Driver | DbtuiError]:
    """Connect to every spec in parallel (no terminal only); each entry is a driver or its error."""
    if len(specs) == 1:
        return [_connect(specs[0])]
    with ThreadPoolExecutor(max_workers=min(8, len(specs))) as pool:
        return list(pool.map(_connect, specs))


def on_a_terminal() -> bool:
    """True when dbtui talks to a person: stdin and stdout are terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def demo_spec(read_only: bool) -> ConnectionSpec:
    """The built-in demo database, created on first run."""
    from dbtui.drivers.sqlite.demo import demo_path, ensure_demo_database

    directory = demo_path().parent
    try:
        if not demo_path().exists():
            directory.mkdir(parents=True, exist_ok=True)
            if not os.access(directory, os.W_OK):
                raise PermissionError(13, "Permission denied")
            print("dbtui: creating the demo database (first run only)...", file=sys.stderr)
        path = ensure_demo_database()
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DbtuiError(
            f"cannot create the demo database in {directory} ({reason}); typed text would "
            "not be saved either: fix that directory's permissions, set XDG_DATA_HOME, "
            "or give a URL",
            "Data directory not writable",
        ) from exc
    return spec_from_url(f"sqlite://{path}", read_only=read_only, name="demo")


def spec_for_argument(argument: str, config: Config, read_only: bool) -> ConnectionSpec:
    """A URL, a libpq keyword string, a SQLite path, or the name of a saved connection.

    Raises:
        DbtuiError: before anything connects, when the argument names no engine, or when
            its engine would read the URL differently from how it looks (an unencoded
            ``@`` or ``/`` in the password: :func:`~dbtui.core.spec.require_parsable`).
    """
    if config.connection(argument) is not None:
        spec = saved_spec(config, argument)
    else:
        try:
            spec = spec_from_url(argument)
        except DbtuiError:
            if config.connections and "://" not in argument:
                # raises "no saved connection named ... (did you mean)"
                saved_spec(config, argument)
            raise
    require_parsable(spec.url)
    return replace(spec, read_only=True) if read_only else spec


def choose_specs(args: argparse.Namespace, config: Config) -> list[ConnectionSpec] | None:
    """The connections to open; ``None`` when the user left the picker."""
    if args.urls:
        return [spec_for_argument(url, config, args.read_only) for url in args.urls]
    if not config.connections:
        return [demo_spec(args.read_only)]
    from dbtui.ui.picker import PickerApp

    saved = [saved_spec(config, name) for name in config.connection_names]
    candidates = [*saved, demo_spec(args.read_only)]
    chosen = PickerApp(candidates).run()
    if chosen is None:
        return None
    spec = candidates[chosen]
    return [replace(spec, read_only=True) if args.read_only else spec]


def run_interactive(args: argparse.Namespace) -> int:
    """Run the app on the requested connections; they connect in the background.

    Returns 2 (after one line on stderr) when a URL cannot even be parsed; a
    server that cannot be reached is shown in the app instead (``r`` retries).
    Without a terminal (stdin or stdout redirected) it connects first and
    returns 2 when every connection failed, one line per connection.
    """
    from dbtui.ui.keys import all_binding_ids

    config = load_config(binding_ids=all_binding_ids())
    for warning in config.warnings:
        print(f"dbtui: warning: {warning}", file=sys.stderr)
    specs = choose_specs(args, config)
    if specs is None:
        return 0
    timeout = connect_timeout_for(args, config)
    specs = [with_connect_timeout(spec, timeout) for spec in specs]
    outcomes: list[Driver | DbtuiError | None] = [None] * len(specs)
    if not on_a_terminal():  # scripted: nothing to draw on, so connect first and fail fast
        outcomes = list(connect_all(specs))
        if all(isinstance(outcome, DbtuiError) for outcome in outcomes):
            for spec, outcome in zip(specs, outcomes, strict=True):
                assert isinstance(outcome, DbtuiError)
                line = f"{spec.display_url}: {outcome.one_line()}"
                print(f"dbtui: {display_text(line)}", file=sys.stderr)
            return EXIT_USAGE

    from dbtui.ui.app import DbtuiApp

    outcome_pairs = list(zip(specs, outcomes, strict=True))
    app = DbtuiApp(outcome_pairs, config=config, connect_timeout=timeout)
    app.run()
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run dbtui with ``argv`` (defaults to ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "explain":
            from dbtui.explain_cli import run_explain

            return run_explain(argv[1:])
        if argv and argv[0] == "advise":
            from dbtui.advise_cli import run_advise

            return run_advise(argv[1:])
        return run_interactive(build_parser().parse_args(argv))
    except DbtuiError as exc:
        print(f"dbtui: {display_text(exc.one_line())}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `dbtui explain ... | head`: the reader left early
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: one line naming the log, the traceback only in the log
        return report_crash(exc, argv[0] if argv and argv[0] in ("explain", "advise") else "dbtui")


def report_crash(error: BaseException, command: str) -> int:
    """Log an unexpected exception with its traceback, print one line naming the log; 1."""
    from dbtui.core.crashlog import unexpected_message, write_error

    what = f"running {command}" if command != "dbtui" else "starting dbtui"
    log = write_error(error, what)
    print(f"dbtui: {unexpected_message(what, error, log)}", file=sys.stderr)
    return EXIT_CRASH
