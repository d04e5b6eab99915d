"""The UI asks drivers for capabilities (protocols in core), never for engines or classes.

A driver that implements a protocol gets the feature; one that does not is left
without it. Checked on the real built-in drivers, loaded through the registry as a
third-party driver would be.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import cast

import pytest

from dbtui.core.capabilities import (
    CommandCompletion,
    CommandHelp,
    CompletionKind,
    DocumentEditing,
    IndexBuilding,
    KeyNameCompletion,
    NameCompletion,
    PipelineEditing,
    PlanReading,
    SqlCompletion,
    StarterText,
)
from dbtui.core.driver import Driver
from dbtui.core.errors import QueryError
from dbtui.core.registry import load_driver, open_driver
from dbtui.core.results import DocumentsResult, Stream
from dbtui.core.spec import spec_from_url
from dbtui.ui.completion_source import build_source, fallback_source
from dbtui.ui.screens.document_actions import place_of
from dbtui.ui.screens.document_editor import parse_edit
from dbtui.ui.screens.pipeline_editor import parse_stage, stage_text
from dbtui.ui.starter import starter_text

URLS = {
    "sqlite": "sqlite://:memory:",
    "postgresql": "postgresql://nobody@127.0.0.1:1/none",
    "mongodb": "mongodb://127.0.0.1:1/shop",
    "redis": "redis://127.0.0.1:1/0",
}
"""One URL per built-in engine; the drivers are created, never connected."""

HAS: dict[str, set[type]] = {
    "sqlite": {SqlCompletion, StarterText},
    "postgresql": {SqlCompletion, IndexBuilding, PlanReading, StarterText},
    "mongodb": {NameCompletion, DocumentEditing, PipelineEditing, StarterText},
    "redis": {CommandCompletion, CommandHelp, KeyNameCompletion, StarterText},
}
"""Which capabilities each built-in driver has."""

CAPABILITIES = (
    SqlCompletion,
    NameCompletion,
    CommandCompletion,
    CommandHelp,
    KeyNameCompletion,
    DocumentEditing,
    PipelineEditing,
    IndexBuilding,
    PlanReading,
)


def unconnected(engine: str) -> Driver:
    """The engine's driver, created through the registry but not connected."""
    return load_driver(engine)(spec_from_url(URLS[engine]))


@pytest.mark.parametrize("engine", sorted(URLS))
def test_each_builtin_driver_has_exactly_its_capabilities(engine: str) -> None:
    driver = unconnected(engine)
    has = {cap for cap in CAPABILITIES if isinstance(driver, cap)}
    expected = HAS[engine] - {StarterText}
    assert has == expected, f"{engine}: {sorted(c.__name__ for c in has)}"
    assert isinstance(type(driver), StarterText) == (StarterText in HAS[engine])


def documents_result(namespace: tuple[str, str] | None) -> DocumentsResult:
    return DocumentsResult("find", Stream(iter([{"_id": 1}])), namespace=namespace)


def test_sqlite_results_offer_no_document_editing() -> None:
    driver = open_driver(spec_from_url(URLS["sqlite"]))
    try:
        assert place_of(driver, documents_result(("main", "t"))) is None
    finally:
        driver.close()


def test_a_document_editing_driver_edits_its_find_results(mongo_url: str) -> None:
    driver = open_driver(spec_from_url(f"{mongo_url.rstrip('/')}/capabilities", read_only=True))
    try:
        place = place_of(driver, documents_result(("capabilities", "people")))
        assert place is not None
        assert place.driver is cast(object, driver)
        assert place.read_only, "a read-only connection refuses edits before any dialog"
        assert place_of(driver, documents_result(None)) is None, "aggregations are not stored"
        text = place.text({"_id": 3, "name": "Zoé"}, indent=2)
        assert parse_edit(place.driver, text, fixed_id=3) == {"_id": 3, "name": "Zoé"}
        with pytest.raises(QueryError, match="_id cannot change"):
            parse_edit(place.driver, text.replace("3", "4", 1), fixed_id=3)
    finally:
        driver.close()


def test_the_pipeline_editor_reads_and_writes_the_drivers_syntax(mongo_url: str) -> None:
    driver = open_driver(spec_from_url(f"{mongo_url.rstrip('/')}/shop"))
    try:
        assert isinstance(driver, PipelineEditing)
        target = driver.pipeline_target(
            "db.orders.aggregate([{$match: {a: 1}}], {allowDiskUse: true})"
        )
        assert (target.collection, target.allow_disk_use) == ("orders", True)
        assert target.stages is not None
        assert [stage_text(driver, s) for s in target.stages] == ["{a: 1}".join(("{$match: ", "}"))]
        assert driver.pipeline_target("db.orders.find({})").stages is None
        with pytest.raises(QueryError, match="stage"):
            parse_stage(driver, "{a: 1}")
        command = driver.pipeline_command("shop", "orders", [{"$match": {"a": 1}}], False)
        assert command == "db.orders.aggregate([\n  {$match: {a: 1}}\n])"
    finally:
        driver.close()


def test_completion_comes_from_the_capability_the_driver_has(
    tmp_path: Path, mongo_url: str
) -> None:
    path = tmp_path / "names.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER, email TEXT)")
    sqlite_driver = open_driver(spec_from_url(f"sqlite://{path}"))
    mongo_driver = open_driver(spec_from_url(f"{mongo_url.rstrip('/')}/completion_names"))
    try:
        sql = build_source(sqlite_driver)
        assert sql.kind is CompletionKind.SQL
        assert any("customers" in tables for tables in sql.snapshot.tables.values()), sql
        assert fallback_source(sqlite_driver).snapshot.dialect == "sqlite"
        next(iter(mongo_driver.execute("db.people.insertOne({name: 'Ann'})")))
        docs = build_source(mongo_driver)
        assert docs.kind is CompletionKind.DOCUMENTS
        assert "people" in docs.collections
        assert fallback_source(mongo_driver).kind is CompletionKind.DOCUMENTS
    finally:
        sqlite_driver.close()
        mongo_driver.close()


def test_command_completion_lists_the_servers_commands(redis_url: str) -> None:
    driver = open_driver(spec_from_url(redis_url))
    try:
        source = build_source(driver)
        assert source.kind is CompletionKind.COMMANDS
        assert "GET" in source.commands
        assert "GET" in source.subcommands.get("CONFIG", ())
    finally:
        driver.close()


def test_the_starter_text_comes_from_the_driver_class() -> None:
    assert starter_text(spec_from_url(URLS["sqlite"], name="demo")).startswith("-- dbtui demo")
    assert "sqlite_schema" in starter_text(spec_from_url(URLS["sqlite"]))
    assert "pg_stat_user_tables" in starter_text(spec_from_url(URLS["postgresql"]))
    assert "show collections" in starter_text(spec_from_url(URLS["mongodb"]))
    assert "INFO keyspace" in starter_text(spec_from_url(URLS["redis"]))
