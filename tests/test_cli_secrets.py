"""``dbtui URL`` with a hostile password to a closed port: one line on stderr, no password."""

from __future__ import annotations

import socket

import pytest
from secret_cases import ALL_SPECIALS, HEAD, TAIL, Case, cases, leaks
from test_cli import assert_one_line_error, run_dbtui


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PORT = _closed_port()
CLI_CASES = cases(PORT, [ALL_SPECIALS, HEAD + "%40" + TAIL])
"""Each URL kind, raw and percent-encoded, with one password holding every special character
and one holding a literal ``%40`` (tests/core/test_masking.py covers each character alone)."""


@pytest.mark.parametrize("case", CLI_CASES, ids=[case.id for case in CLI_CASES])
def test_unreachable_server_error_never_holds_the_password(case: Case) -> None:
    result = run_dbtui(case.text, timeout=180)  # the machine may be busy: startup is slow
    assert_one_line_error(result)
    assert not leaks(result.stderr + result.stdout, case.password), result.stderr
    line = result.stderr.strip()
    assert "127.0.0.1" in line, line
    if case.encoded or case.kind == "keywords":
        assert str(PORT) in line, line  # a cleanly parsed URL is tried and named
