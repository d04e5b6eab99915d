"""Query history: per-connection JSON lines, redacted, bounded, searchable, crash-tolerant."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest

from dbtui.core.history import (
    History,
    HistoryEntry,
    connection_key,
    match_tier,
    safe_file_name,
)
from dbtui.core.redact import redact_statement
from dbtui.core.spec import spec_from_url

SECRET = "Sup3r-s3cret"
T0 = dt.datetime(2025, 1, 31, 9, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_history_lives_in_the_data_dir_under_a_password_free_name() -> None:
    spec = spec_from_url(f"postgresql://app:{SECRET}@db.example.com:5432/shop")
    key = connection_key(spec)
    assert SECRET not in key
    assert key == connection_key(spec_from_url("postgresql://app@db.example.com:5432/shop"))
    history = History(key)
    history.append("SELECT 1", duration_ms=1.5)
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert history.path.parent == data_home / "dbtui" / "history"
    assert history.path.exists()
    assert SECRET not in str(history.path)
    assert stat.S_IMODE(history.path.stat().st_mode) == 0o600


def test_safe_file_names_are_distinct_and_tame() -> None:
    names = {safe_file_name(k) for k in ("a/b", "a_b", "a b", "../../etc", "", "é")}
    assert len(names) == 6
    for name in names:
        assert "/" not in name
        assert not name.startswith(".")


def test_entries_round_trip_with_time_duration_and_errors(tmp_path: Path) -> None:
    history = History("k", directory=tmp_path)
    history.append("SELECT 'ünï 🐘 שלום'\nFROM t", duration_ms=12.25, when=at(0))
    history.append("SELEC 1", ok=False, error="syntax error at or near SELEC", when=at(1))
    assert history.append("   \n ") is None
    first, second = history.load()
    assert first == HistoryEntry(at(0), "SELECT 'ünï 🐘 שלום'\nFROM t", 12.25, True, None)
    assert second.ok is False
    assert second.error == "syntax error at or near SELEC"
    assert second.time == at(1)
    record = json.loads(history.path.read_text().splitlines()[0])
    assert set(record) == {"time", "duration_ms", "statement", "ok", "error"}


def test_corrupt_lines_are_skipped_and_a_cut_line_does_not_eat_the_next(tmp_path: Path) -> None:
    history = History("k", directory=tmp_path)
    history.append("SELECT 1", when=at(0))
    with history.path.open("a") as out:
        out.write("not json\n")
        out.write('{"time": "yesterday", "statement": "x"}\n')
        out.write('{"time": "2025-01-31T09:00:00", "statement": "naive time"}\n')
        out.write('{"time": "2025-01-31T09:00:00+00:00", "statement": 5}\n')
        out.write('{"time": "2025-01-31T09:00:00+00:00", "statement": "SELECT 2", "ok"')
    history.append("SELECT 3", when=at(3))
    assert [e.statement for e in history.load()] == ["SELECT 1", "SELECT 3"]


def test_history_is_bounded_on_load_and_while_appending(tmp_path: Path) -> None:
    history = History("k", directory=tmp_path, max_entries=10)
    for number in range(25):
        history.append(f"SELECT {number}", when=at(number))
    # Appends alone do not count the file: the bound applies on load.
    assert len(history.path.read_text().splitlines()) == 25
    entries = history.load()
    assert [e.statement for e in entries] == [f"SELECT {n}" for n in range(15, 25)]
    assert len(history.path.read_text().splitlines()) == 10
    # Once counted, appends compact when the file grows a fifth past the bound.
    for number in range(25, 28):
        history.append(f"SELECT {number}", when=at(number))
    assert len(history.path.read_text().splitlines()) == 10
    assert history.load()[-1].statement == "SELECT 27"


@pytest.mark.parametrize(
    ("statement", "kept"),
    [
        (f"ALTER ROLE app PASSWORD '{SECRET}'", "ALTER ROLE app PASSWORD '***'"),
        (f"alter user app with encrypted password '{SECRET}' valid until 'x'", "valid until 'x'"),
        (f"CREATE USER u PASSWORD E'{SECRET}\\'x' LOGIN", "PASSWORD '***' LOGIN"),
        (f"CREATE ROLE u PASSWORD $pw${SECRET}$pw$ LOGIN", "PASSWORD '***' LOGIN"),
        (f"CREATE ROLE u PASSWORD '{SECRET}''s' LOGIN", "PASSWORD '***' LOGIN"),
        (f"ALTER ROLE u PASSWORD '{SECRET}", "PASSWORD '***'"),  # not closed yet
        (f"CREATE USER u IDENTIFIED BY '{SECRET}'", "IDENTIFIED BY '***'"),
        (f"SELECT dblink_connect('host=h password={SECRET} dbname=d')", "dbname=d"),
        (f"CREATE SERVER s OPTIONS (password '{SECRET}')", "OPTIONS (password '***')"),
        (f"select * from dblink('postgresql://u:{SECRET}@h/db', 'x')", "postgresql://u:***@h/db"),
        (f"SELECT 1 WHERE password = '{SECRET}'", "password = ***"),
        (f"AUTH {SECRET}", "AUTH ***"),
        (f'auth default "{SECRET}"', "auth default ***"),
        (f"HELLO 3 AUTH default {SECRET} SETNAME x", "HELLO 3 AUTH default *** SETNAME x"),
        (f"CONFIG SET requirepass {SECRET}", "CONFIG SET requirepass ***"),
        (f"config set maxmemory 1gb masterauth {SECRET}", "maxmemory 1gb masterauth ***"),
        (f"MIGRATE h 6379 k 0 5000 AUTH {SECRET}", "AUTH ***"),
        (f"MIGRATE h 6379 '' 0 5000 AUTH2 user {SECRET} KEYS a b", "AUTH2 user *** KEYS a b"),
        (f"ACL SETUSER bob on >{SECRET} ~* +@all", "ACL SETUSER bob on >*** ~* +@all"),
        (f"SENTINEL SET mymaster auth-pass {SECRET}", "auth-pass ***"),
        (f"SENTINEL CONFIG SET sentinel-pass {SECRET}", "sentinel-pass ***"),
        (f'db.createUser({{user: "u", pwd: "{SECRET}", roles: []}})', 'pwd: "***", roles'),
        (f"db.runCommand({{'updateUser': 'u', 'pwd': '{SECRET}'}})", "'pwd': \"***\""),
        (f'db.changeUserPassword("u", "{SECRET}")', 'changeUserPassword("u", "***")'),
        (f"db.auth('u', '{SECRET}')", "db.auth('u', \"***\")"),
    ],
)
def test_secrets_are_redacted_before_writing(tmp_path: Path, statement: str, kept: str) -> None:
    history = History("k", directory=tmp_path)
    entry = history.append(statement, ok=False, error=f"failed: {statement}")
    assert entry is not None
    assert SECRET not in entry.statement
    assert kept in entry.statement
    assert SECRET not in history.path.read_text()


def test_harmless_statements_are_left_alone() -> None:
    for text in (
        "SELECT password_hash FROM users WHERE id = 1",
        "GET session:auth:42",
        "CONFIG GET requirepass",
        "db.users.find({name: 'pwd'})",
        "SELECT 'postgresql://host:5432/db'",
    ):
        assert redact_statement(text) == text


def test_search_ranks_tiers_newest_first_without_duplicates(tmp_path: Path) -> None:
    history = History("k", directory=tmp_path)
    statements = [
        "SELECT * FROM users WHERE id = 1",  # 0
        "select name from orders",  # 1
        "SELECT * FROM users WHERE id = 1",  # 2: repeat of 0
        "UPDATE users SET name = 'x'",  # 3
        "SELECT count(*) FROM users u JOIN orders o ON o.user_id = u.id",  # 4
        "DELETE FROM sessions",  # 5
    ]
    for number, statement in enumerate(statements):
        history.append(statement, when=at(number))
    found = [e.statement for e in history.search("FROM USERS")]
    assert found == [statements[4], statements[2]]  # substring, newest first, once
    assert history.search("FROM USERS")[1].time == at(2)
    found = [e.statement for e in history.search("users name")]
    assert found == [statements[3]]  # every word, any order
    assert [e.statement for e in history.search("updt usrs")] == [statements[3]]  # fuzzy
    assert history.search("nothing like it") == []
    everything = history.search("")
    assert len(everything) == 5
    assert everything[0].statement == statements[5]
    assert len(history.search("", limit=2)) == 2


def test_match_tiers() -> None:
    assert match_tier("from users", ["from", "users"], "SELECT * FROM users") == 0
    assert match_tier("users from", ["users", "from"], "SELECT * FROM users") == 1
    assert match_tier("slct usr", ["slct", "usr"], "SELECT * FROM users") == 2
    assert match_tier("lect", ["lect"], "SELECT") == 0
    assert match_tier("xslct", ["xslct"], "SELECT") is None
    assert match_tier("sx", ["sx"], "SELECT") is None
