"""Property-based tests of every command-line entry point, called in-process through ``main(argv)``.

Whatever the arguments, dbtui ends with a status (0 when the input was usable, 2 for an error the
user caused) and, on error, one line on stderr: never a traceback (issue #13). URLs point at
closed ports or missing directories, so nothing connects and no window opens.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbtui.cli import main

FAST = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FEW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ARG = st.text(alphabet=st.characters(codec="utf-8"), max_size=60).filter(
    lambda text: "\x00" not in text
)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PORT = closed_port()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``main(argv)``'s status (argparse's SystemExit included) and stderr."""
    try:
        status = main(argv)
    except SystemExit as leave:  # argparse: --help, --version or a usage error
        status = leave.code if isinstance(leave.code, int) else 2
    return status, capsys.readouterr().err


def assert_clean(status: int, err: str, *, usage_allowed: bool = False) -> None:
    assert "Traceback" not in err, err
    assert status in (0, 2), (status, err)
    if status == 2 and not (usage_allowed and err.startswith("usage:")):
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, err


@FAST
@given(ARG.filter(lambda text: not text.startswith("-") and "://" not in text))
def test_main_with_an_arbitrary_argument(capsys: pytest.CaptureFixture[str], text: str) -> None:
    status, err = run([text], capsys)
    assert_clean(status, err, usage_allowed=True)
    assert status == 2


@FEW
@given(st.sampled_from(["postgresql", "redis", "rediss", "sqlite"]), ARG)
def test_main_with_urls_that_cannot_connect(
    capsys: pytest.CaptureFixture[str], scheme: str, rest: str
) -> None:
    if scheme == "sqlite":
        url = f"sqlite:///nonexistent-dir-of-dbtui-tests/{rest.replace('?', '')}"
    else:
        url = f"{scheme}://127.0.0.1:{PORT}/{rest}"
    status, err = run([url], capsys)
    assert_clean(status, err)
    assert status == 2


@FAST
@given(st.binary(max_size=400) | ARG.map(lambda text: text.encode("utf-8")))
def test_explain_any_plan_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    plan = tmp_path / "plan"
    plan.write_bytes(content)
    for engine in ([], ["--engine", "postgres"], ["--engine", "mongo"]):
        status, err = run(["explain", "--plan-file", str(plan), *engine], capsys)
        assert_clean(status, err)


@FAST
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    ["Plan", "Plans", "Node Type", "queryPlanner", "winningPlan", "stage"]
                )
                | st.text(max_size=5),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_explain_any_json_plan_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: object
) -> None:
    import json

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data), encoding="utf-8")
    for fmt in ("text", "json"):
        status, err = run(["explain", "--plan-file", str(plan), "--format", fmt], capsys)
        assert_clean(status, err)


@FEW
@given(st.sampled_from(["postgresql", "redis", "sqlite", "nosuch"]), ARG, ARG)
def test_explain_and_advise_against_servers_that_do_not_answer(
    capsys: pytest.CaptureFixture[str], scheme: str, rest: str, statement: str
) -> None:
    if scheme == "sqlite":
        url = f"sqlite:///nonexistent-dir-of-dbtui-tests/{rest.replace('?', '')}"
    else:
        url = f"{scheme}://127.0.0.1:{PORT}/{rest}"
    for argv in (
        ["explain", url, statement or "SELECT 1"],
        ["advise", url, "--query", statement or "SELECT 1"],
        ["advise", url, "--health"],
    ):
        status, err = run(argv, capsys)
        assert_clean(status, err, usage_allowed=True)
        assert status == 2


@FAST
@given(st.lists(ARG, max_size=4))
def test_subcommands_with_arbitrary_arguments(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    safe = [a for a in args if "://" not in a and a not in ("--plan-file",)]
    for command in ("explain", "advise"):
        status, err = run([command, *safe], capsys)
        assert_clean(status, err, usage_allowed=True)
