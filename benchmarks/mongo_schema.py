"""Benchmark: sampled schema inference and time to first page on a 100,000-document collection.

Starts a throwaway SecantusDB (MongoDB-compatible, in-memory storage) as a
child process on a free loopback port, loads N documents with nested
documents, arrays and optional fields, then measures with dbtui's own
MongoDB driver, as the UI calls it:

* ``MongoDriver.sample_schema(db, coll, size=1000)``: ``$sample`` of 1,000
  documents plus inference (median of R rounds), and the pure inference
  part alone on the same 1,000 documents already in memory;
* the same ``$sample`` with bare pymongo, and a bare pymongo first page, as
  baselines that show how much of the time is the server's;
* time to the first page (100 documents) of ``execute()`` + ``fetch(100)``
  for an unfiltered find, a find with an unindexed equality filter (1 in 20
  documents match) and, for context, a find sorted on an unindexed field
  (the server must read everything before the first page).

Usage: ``python benchmarks/mongo_schema.py [--docs N] [--rounds R] [--sample S]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

import pymongo
import pymongo.collection
import pymongo.errors

from dbtui.core.results import DocumentsResult
from dbtui.core.spec import spec_from_url
from dbtui.drivers.mongo import MongoDriver
from dbtui.drivers.mongo.inference import infer_schema

DATABASE, COLLECTION = "bench", "items"


def _client(url: str, **options: Any) -> pymongo.MongoClient[dict[str, Any]]:
    return pymongo.MongoClient(url, **options)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def secantus() -> Iterator[str]:
    """A SecantusDB child process; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="dbtui-bench-mongo-") as tmp:
        port = _free_port()
        argv = [sys.executable, "-m", "secantus", "--host", "127.0.0.1", "--port", str(port)]
        argv += ["--storage-path", ":memory:", "--log-level", "WARNING"]
        config = Path(tmp) / "secantusd.toml"
        config.write_text("# benchmark: defaults\n")
        argv += ["--config", str(config)]
        log = (Path(tmp) / "secantus.log").open("wb")
        proc = subprocess.Popen(argv, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
        url = f"mongodb://127.0.0.1:{port}/"
        try:
            _wait_ready(url, proc)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("SecantusDB exited during start-up")
        try:
            with _client(url, serverSelectionTimeoutMS=500) as client:
                client.admin.command("ping")
                return
        except pymongo.errors.PyMongoError:
            time.sleep(0.2)
    raise SystemExit("SecantusDB did not answer within 60 s")


def _document(i: int) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": i,
        "sku": f"SKU-{i:07d}",
        "category": f"c{i % 20}",
        "price": round(i * 0.37 % 500, 2) if i % 7 else i % 500,
        "created": dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i),
        "stock": {"warehouse": f"w{i % 5}", "qty": i % 97},
        "tags": [f"t{i % 11}", f"t{i % 13}"][: i % 3],
    }
    if i % 4 == 0:
        doc["dims"] = {"w": i % 40, "h": i % 30, **({"unit": "cm"} if i % 8 == 0 else {})}
    if i % 9 == 0:
        doc["reviews"] = [{"stars": 1 + i % 5, "by": f"u{i % 100}"} for _ in range(i % 4)]
    if i % 50 == 0:
        doc["discontinued"] = True
    return doc


def load(url: str, count: int) -> float:
    """Insert ``count`` documents in batches; return the seconds it took."""
    started = time.perf_counter()
    with _client(url) as client:
        coll = client[DATABASE][COLLECTION]
        coll.drop()
        for start in range(0, count, 5000):
            coll.insert_many([_document(i) for i in range(start, min(count, start + 5000))])
        assert coll.estimated_document_count() == count
    return time.perf_counter() - started


def _median_ms(fn: Callable[[], object], rounds: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times


def first_page(driver: MongoDriver, text: str) -> None:
    """Run ``text`` and fetch its first page of 100 documents, as the UI does."""
    result = next(iter(driver.execute(text)))
    assert isinstance(result, DocumentsResult)
    page = result.documents.fetch(100)
    assert len(page) == 100, len(page)
    result.documents.close()


def _raw_first_page(coll: pymongo.collection.Collection[dict[str, Any]]) -> None:
    cursor = coll.find({}, batch_size=100)
    assert len(list(islice(cursor, 100))) == 100
    cursor.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=1000)
    args = parser.parse_args()
    with secantus() as url:
        print(f"loaded {args.docs:,} documents in {load(url, args.docs):.1f} s")
        driver = MongoDriver(spec_from_url(f"{url}{DATABASE}"))
        driver.connect()
        try:
            report = driver.sample_schema(DATABASE, COLLECTION, size=args.sample)
            fields = sum(1 for _ in report.walk())
            print(f"schema: {report.sampled} sampled ({report.source}), {fields} field paths")
            median, times = _median_ms(
                lambda: driver.sample_schema(DATABASE, COLLECTION, size=args.sample), args.rounds
            )
            print(f"sample_schema(size={args.sample}): median {median:.0f} ms  {_fmt(times)}")
            with _client(url) as client:
                coll = client[DATABASE][COLLECTION]
                pipeline = [{"$sample": {"size": args.sample}}]
                median, times = _median_ms(lambda: list(coll.aggregate(pipeline)), args.rounds)
                print(f"  baseline, bare pymongo $sample: median {median:.0f} ms  {_fmt(times)}")
                sample = list(coll.aggregate(pipeline))
                median, times = _median_ms(lambda: infer_schema(sample), args.rounds)
                print(
                    f"  inference alone (documents in memory): median {median:.1f} ms  {_fmt(times)}"
                )
                median, times = _median_ms(lambda: _raw_first_page(coll), args.rounds)
                print(
                    f"baseline, bare pymongo find() first 100: median {median:.1f} ms  {_fmt(times)}"
                )
            queries = {
                "find()": "db.items.find()",
                "find({category: 'c7'})": "db.items.find({category: 'c7'})",
                "find().sort({price: -1})": "db.items.find().sort({price: -1})",
            }
            for label, text in queries.items():
                median, times = _median_ms(lambda t=text: first_page(driver, t), args.rounds)  # type: ignore[misc]
                print(f"first page (100 docs) of {label}: median {median:.1f} ms  {_fmt(times)}")
        finally:
            driver.close()


def _fmt(times: list[float]) -> str:
    return "[" + ", ".join(f"{t:.1f}" for t in times) + "]"


if __name__ == "__main__":
    main()
