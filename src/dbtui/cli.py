"""Command line entry point: ``dbtui [URL ...]`` and its subcommands.

Errors the user can cause (an unknown scheme, an unreachable server) print
one line on stderr and exit with status 2; they never show a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from dbtui import __version__
from dbtui.core.config import Config, load_config, saved_spec
from dbtui.core.driver import Driver
from dbtui.core.errors import DbtuiError, PasswordRequired
from dbtui.core.registry import load_driver, open_driver
from dbtui.core.spec import ConnectionSpec, spec_from_url

EXIT_USAGE = 2

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
    parser.add_argument("--version", action="version", version=f"dbtui {__version__}")
    return parser


def _connect(spec: ConnectionSpec) -> Driver | DbtuiError:
    try:
        return open_driver(spec)
    except DbtuiError as exc:
        return exc


def connect_all(specs: Sequence[ConnectionSpec]) -> list[Driver | DbtuiError]:
    """Connect to every spec in parallel; each entry is a driver or its error."""
    if len(specs) == 1:
        return [_connect(specs[0])]
    with ThreadPoolExecutor(max_workers=min(8, len(specs))) as pool:
        return list(pool.map(_connect, specs))


def ask_passwords(
    specs: Sequence[ConnectionSpec], outcomes: list[Driver | DbtuiError], tries: int = 3
) -> None:
    """Prompt (masked, on the terminal) for each connection that needs a password.

    Only when stdin is a terminal; the password lives only in the driver's
    memory. ``outcomes`` is updated in place.
    """
    if not sys.stdin.isatty():
        return
    for number, (spec, outcome) in enumerate(zip(specs, outcomes, strict=True)):
        for _ in range(tries):
            if not isinstance(outcome, PasswordRequired):
                break
            if outcome.rejected:
                print("dbtui: wrong password", file=sys.stderr)
            password = getpass.getpass(f"Password for {spec.display_url}: ")
            driver = load_driver(spec.engine)(spec)
            driver.set_password(password)
            try:
                driver.connect()
                outcome = driver
            except DbtuiError as error:
                outcome = error
        outcomes[number] = outcome


def demo_spec(read_only: bool) -> ConnectionSpec:
    """The built-in demo database, created on first run."""
    from dbtui.drivers.sqlite.demo import demo_path, ensure_demo_database

    if not demo_path().exists():
        print("dbtui: creating the demo database (first run only)...", file=sys.stderr)
    path = ensure_demo_database()
    return spec_from_url(f"sqlite://{path}", read_only=read_only, name="demo")


def spec_for_argument(argument: str, config: Config, read_only: bool) -> ConnectionSpec:
    """A URL, a libpq keyword string, a SQLite path, or the name of a saved connection."""
    if config.connection(argument) is not None:
        spec = saved_spec(config, argument)
        return replace(spec, read_only=True) if read_only else spec
    try:
        return spec_from_url(argument, read_only=read_only)
    except DbtuiError:
        if config.connections and "://" not in argument:
            saved_spec(config, argument)  # raises "no saved connection named ... (did you mean)"
        raise


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
    """Connect to the requested URLs and run the app; 2 when nothing could open."""
    from dbtui.ui.keys import all_binding_ids

    config = load_config(binding_ids=all_binding_ids())
    for warning in config.warnings:
        print(f"dbtui: warning: {warning}", file=sys.stderr)
    specs = choose_specs(args, config)
    if specs is None:
        return 0
    outcomes = connect_all(specs)
    ask_passwords(specs, outcomes)
    if all(isinstance(outcome, DbtuiError) for outcome in outcomes):
        for spec, outcome in zip(specs, outcomes, strict=True):
            assert isinstance(outcome, DbtuiError)
            print(f"dbtui: {spec.display_url}: {outcome.one_line()}", file=sys.stderr)
        return EXIT_USAGE

    from dbtui.ui.app import DbtuiApp

    app = DbtuiApp(list(zip(specs, outcomes, strict=True)), config=config)
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
        print(f"dbtui: {exc.one_line()}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `dbtui explain ... | head`: the reader left early
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
