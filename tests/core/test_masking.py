"""Passwords with every URL-special character are masked by each engine's own URL rules."""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from secret_cases import ALL_SPECIALS, Case, cases, leaks

from dbtui.core.errors import ConnectError
from dbtui.core.history import History, connection_key, safe_file_name
from dbtui.core.redact import redact_statement
from dbtui.core.spec import (
    mask_password,
    require_parsable,
    scrub,
    spec_from_url,
    url_facts,
)
from dbtui.core.urlmask import UNPARSABLE_HINT, conservative_mask

CASES = cases(5432)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_no_piece_of_the_password_is_shown_named_or_keyed(case: Case) -> None:
    spec = spec_from_url(case.text)
    shown = {
        "mask_password": mask_password(case.text),
        "display_url": spec.display_url,
        "repr": repr(spec),
        "name": spec.name,
        "connection_key": connection_key(spec),
        "scrub": scrub(f"could not connect to {case.text}: {case.password}", case.text),
    }
    for where, text in shown.items():
        assert not leaks(text, case.password), f"{where}: {text!r}"
    assert "***" in spec.display_url
    assert "127.0.0.1" in spec.display_url


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.encoded or c.kind == "keywords"],
    ids=[c.id for c in CASES if c.encoded or c.kind == "keywords"],
)
def test_encoded_passwords_parse_cleanly_and_keep_the_identity(case: Case) -> None:
    facts = url_facts(case.text)
    assert facts.clean, facts.masked
    assert case.password in facts.passwords
    assert facts.user == "me"
    if case.kind != "keywords":
        assert facts.masked.startswith(case.text.split("://")[0] + "://me:***@127.0.0.1:5432/")
    assert url_facts(case.bare).passwords == ()
    assert connection_key(spec_from_url(case.text)) == connection_key(spec_from_url(case.bare))
    require_parsable(case.text)  # does not raise


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://me:Kq7/xVz9@h/db",  # libpq reads host "me", port "Kq7"
        "postgresql://me:Kq7@xVz9@h/db",  # libpq stops the user-info at the first @
        "redis://me:Kq7#xVz9@h:6379/0",  # urlparse cuts at #
        "redis://me:1/Kq7Vz9@h/0",  # redis-py reads host "me", port 1
        "mongodb://me:Kq7@xVz9@h/db",  # pymongo wants it escaped
        "postgresql://h/db?password=Kq7&xVz9",  # & splits the option
        "host=h password='Kq7 Vz9",  # unterminated quote
    ],
)
def test_what_does_not_parse_cleanly_is_masked_conservatively(text: str) -> None:
    facts = url_facts(text)
    assert not facts.clean
    assert not leaks(facts.masked, "Kq7xVz9"), facts.masked
    assert scrub("port 'Kq7' is not a number", text) == UNPARSABLE_HINT
    assert facts.masked == conservative_mask(text)
    with pytest.raises(Exception, match="percent-encode"):
        require_parsable(text)


def test_conservative_mask_cuts_up_to_the_last_at() -> None:
    assert conservative_mask("redis://u:a@b/c#d@host:1/0") == "redis://***@host:1/0"
    assert conservative_mask("nosuch://u:p@h") == "nosuch://***@h"
    assert conservative_mask("host=h sslpassword=x y z") == "host=h sslpassword=***"


def test_unknown_scheme_and_non_urls_never_echo_the_password() -> None:
    for text in (f"nosuch://me:{ALL_SPECIALS}@h/db", f"me:{ALL_SPECIALS}@h/db"):
        with pytest.raises(ConnectError) as raised:
            spec_from_url(text)
        assert not leaks(str(raised.value), ALL_SPECIALS), str(raised.value)


def test_mongodb_srv_is_parsed_without_dns() -> None:
    started = time.monotonic()
    facts = url_facts(f"mongodb+srv://me:{quote_all(ALL_SPECIALS)}@cluster9.nowhere.invalid/db")
    assert facts.clean
    assert facts.label == "cluster9.nowhere.invalid/db"
    assert facts.masked == "mongodb+srv://me:***@cluster9.nowhere.invalid/db"
    assert time.monotonic() - started < 2


def test_secret_options_of_each_engine_are_masked() -> None:
    texts = {
        "postgresql://h/db?sslpassword=Kq7%23Vz9&sslmode=require": "Kq7#Vz9",
        "redis+sentinel://u:Kq7%2FVz9@h1:26379,h2/mymaster/2?sentinel_password=Kq7zVz9": "Kq7",
        "unix:///tmp/redis.sock?password=Kq7%3FVz9&db=1": "Kq7?Vz9",
        "mongodb://h/db?tlsCertificateKeyFilePassword=Kq7%40Vz9&tls=true": "Kq7@Vz9",
    }
    for text, password in texts.items():
        masked = mask_password(text)
        assert not leaks(masked, password), masked
        assert "***" in masked


def test_history_redaction_cuts_urls_with_special_passwords() -> None:
    for statement in (
        "SELECT dblink_connect('postgresql://me:Kq7/#?@Vz9@h/db')",
        "SELECT dblink_connect('host=h password=''Kq7 #?/Vz9'' dbname=x')",
    ):
        assert not leaks(redact_statement(statement), "Kq7#?/Vz9"), redact_statement(statement)


def test_old_history_and_buffer_names_are_migrated(tmp_path: Path) -> None:
    url = "postgresql://me:Kq7%23Vz9@db.example.com:5432/shop"
    spec = spec_from_url(url)
    data = Path(os.environ["XDG_DATA_HOME"]) / "dbtui"
    old_key = "postgresql://me@db.example.com:5432/shop"  # what dbtui used to key it by
    old = safe_file_name(old_key)
    History(old_key).append("SELECT 'kept'")
    (data / "buffers" / old).mkdir(parents=True)
    (data / "buffers" / old / "0.txt").write_text("SELECT 'buffer'", encoding="utf-8")
    key = connection_key(spec)
    assert key.startswith("postgresql-")
    assert [e.statement for e in History(key).load()] == ["SELECT 'kept'"]
    assert (data / "buffers" / safe_file_name(key) / "0.txt").read_text() == "SELECT 'buffer'"
    assert not (data / "history" / f"{old}.jsonl").exists()


def quote_all(text: str) -> str:
    return quote(text, safe="")


def test_old_names_that_held_the_password_are_renamed_away() -> None:
    url = "postgresql://me:Kq7#Vz9@db.example.com:5432/shop"  # libpq reads "Kq7#Vz9" whole
    spec = spec_from_url(url)
    data = Path(os.environ["XDG_DATA_HOME"]) / "dbtui"
    old_key = "postgresql://me:Kq7#Vz9@db.example.com:5432/shop"  # urlsplit never masked it
    History(old_key).append("SELECT 1")
    assert any("Kq7" in path.name for path in data.rglob("*")), "the old name held it"
    key = connection_key(spec)
    assert [e.statement for e in History(key).load()] == ["SELECT 1"]
    assert not [path for path in data.rglob("*") if leaks(path.name, "Kq7#Vz9")]
