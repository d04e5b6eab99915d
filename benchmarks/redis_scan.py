"""Benchmark: dbtui's KeyScanner against redis-cli --scan on 1,000,000 keys.

Starts a throwaway redis-server (persistence off) in a temp dir, loads keys of
mixed types through ``redis-cli --pipe``, then measures in one run, alternating
rounds so that background load hits both sides alike:

* keys/second of ``redis-cli --scan --count 1000``; a redis-cli older than
  7.2 has no ``--count`` and scans with COUNT 10, so then the script also
  compiles (with gcc, when present) a small C program doing what
  ``redis-cli --scan --count 1000`` does (SCAN loop, keys printed one per
  line) and uses it as the baseline;
* keys/second of a bare hiredis ``SCAN cursor COUNT 1000`` loop in Python,
  printed for context;
* keys/second of :class:`KeyScanner` (adaptive COUNT, 5 ms budget), alone and
  feeding the browser's models as its scan worker does (:class:`ScanModels`:
  folder tree with deferred counts plus flat list, counts flushed every
  ``SNAPSHOT_SECONDS``);
* the time until the scanner has the first 100 keys.

Prints every median and the ratio scanner / redis-cli (target: >= 0.80).

Usage: ``python benchmarks/redis_scan.py [--keys N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from dbtui.core.spec import spec_from_url
from dbtui.drivers.redis import RedisDriver
from dbtui.drivers.redis.scanner import KeyScanner
from dbtui.ui.key_browser.jobs import SNAPSHOT_SECONDS
from dbtui.ui.key_browser.tree_model import ScanModels

TYPES = ["string"] * 14 + ["hash"] * 2 + ["list", "set", "zset", "stream"]

C_BASELINE = r"""
/* SCAN loop printing every key, like redis-cli --scan --count N (benchmark baseline). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd;
static char buf[1 << 16];
static size_t pos, len;

static int getbyte(void) {
    if (pos == len) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) { perror("read"); exit(1); }
        len = (size_t)n; pos = 0;
    }
    return (unsigned char)buf[pos++];
}

static long readnum(char type) {  /* reads "<type><number>\r\n" */
    int c = getbyte();
    if (c != type) { fprintf(stderr, "protocol error: %c\n", c); exit(1); }
    long n = 0; int neg = 0;
    while ((c = getbyte()) != '\r') { if (c == '-') neg = 1; else n = n * 10 + (c - '0'); }
    getbyte();
    return neg ? -n : n;
}

static void readbulk(char *out, long n, FILE *sink) {
    for (long i = 0; i < n; i++) { int c = getbyte(); if (out) out[i] = (char)c; else putc(c, sink); }
    getbyte(); getbyte();
}

int main(int argc, char **argv) {
    int port = atoi(argv[1]); const char *count = argv[2];
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
    char cursor[32] = "0", cmd[128];
    do {
        int n = snprintf(cmd, sizeof cmd, "*4\r\n$4\r\nSCAN\r\n$%zu\r\n%s\r\n$5\r\nCOUNT\r\n$%zu\r\n%s\r\n",
                         strlen(cursor), cursor, strlen(count), count);
        if (write(fd, cmd, (size_t)n) != n) { perror("write"); return 1; }
        readnum('*');
        long clen = readnum('$');
        readbulk(cursor, clen, NULL); cursor[clen] = 0;
        long keys = readnum('*');
        for (long i = 0; i < keys; i++) { readbulk(NULL, readnum('$'), stdout); putc('\n', stdout); }
    } while (strcmp(cursor, "0") != 0);
    return 0;
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def throwaway_server() -> Iterator[int]:
    """A redis-server on a free loopback port, stopped and deleted afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="dbtui-bench-redis-"))
    port = free_port()
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    argv += ["--appendonly", "no", "--dir", str(workdir), "--logfile", str(workdir / "log")]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port, protocol=2)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.close()
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


def resp(*args: bytes) -> bytes:
    """One command in the Redis protocol, as redis-cli --pipe reads it."""
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


def commands(count: int) -> Iterator[bytes]:
    """Commands creating ``count`` keys of mixed types, ``bench:<type>:<group>:<n>``."""
    for i in range(count):
        kind = TYPES[i % len(TYPES)]
        key = f"bench:{kind}:{i // 1000}:{i}".encode()
        if kind == "string":
            yield resp(b"SET", key, b"v" * (i % 64))
        elif kind == "hash":
            yield resp(b"HSET", key, b"a", b"1", b"b", b"2", b"c", b"3")
        elif kind == "list":
            yield resp(b"RPUSH", key, b"1", b"2", b"3")
        elif kind == "set":
            yield resp(b"SADD", key, b"1", b"2", b"3")
        elif kind == "zset":
            yield resp(b"ZADD", key, b"1", b"a", b"2", b"b")
        else:
            yield resp(b"XADD", key, b"*", b"f", b"v")


def load(port: int, count: int) -> float:
    """Load the keys with ``redis-cli --pipe``; returns seconds taken."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["redis-cli", "-p", str(port), "--pipe"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    assert proc.stdin is not None
    chunk: list[bytes] = []
    for command in commands(count):
        chunk.append(command)
        if len(chunk) >= 50_000:
            proc.stdin.write(b"".join(chunk))
            chunk = []
    proc.stdin.write(b"".join(chunk))
    proc.stdin.close()
    proc.wait()
    return time.perf_counter() - started


def cli_supports_count(port: int) -> bool:
    probe = subprocess.run(
        ["redis-cli", "-p", str(port), "--scan", "--count", "1000", "--pattern", "nomatch"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0 and b"Unrecognized" not in probe.stdout + probe.stderr


def redis_cli_scan(port: int, with_count: bool) -> tuple[int, float]:
    argv = ["redis-cli", "-p", str(port), "--scan"] + (["--count", "1000"] if with_count else [])
    started = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, check=True).stdout
    return out.count(b"\n"), time.perf_counter() - started


def compile_c_baseline(workdir: Path) -> Path | None:
    """Build the C stand-in for ``redis-cli --scan --count``; ``None`` without gcc."""
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        return None
    source = workdir / "scan.c"
    source.write_text(C_BASELINE)
    binary = workdir / "scan"
    subprocess.run([gcc, "-O2", "-o", str(binary), str(source)], check=True)
    return binary


def c_scan(binary: Path, port: int) -> tuple[int, float]:
    started = time.perf_counter()
    out = subprocess.run([str(binary), str(port), "1000"], capture_output=True, check=True).stdout
    return out.count(b"\n"), time.perf_counter() - started


def raw_loop(port: int) -> tuple[int, float]:
    client = redis.Redis(port=port, protocol=2)
    conn = client.connection_pool.get_connection()
    started = time.perf_counter()
    cursor, keys = b"0", 0
    while True:
        conn.send_command("SCAN", cursor, "COUNT", 1000)  # type: ignore[no-untyped-call]
        cursor, batch = conn.read_response()
        keys += len(batch)
        if cursor == b"0":
            break
    elapsed = time.perf_counter() - started
    client.connection_pool.release(conn)
    client.close()
    return keys, elapsed


def scanner_run(port: int, tree: bool) -> tuple[int, float, float]:
    """Keys listed, seconds, and seconds until the first 100 keys were in hand."""
    driver = RedisDriver(spec_from_url(f"redis://127.0.0.1:{port}"))
    driver.connect()
    models = ScanModels.new(b":") if tree else None
    started = last_flush = time.perf_counter()
    first100 = float("nan")
    keys = 0
    for batch in KeyScanner(driver.keyspace()).scan_batches():
        keys += len(batch.keys)
        if models is not None:
            models.feed(batch.keys)
            if time.perf_counter() - last_flush >= SNAPSHOT_SECONDS:
                models.flush()
                last_flush = time.perf_counter()
        if keys >= 100 and first100 != first100:
            first100 = time.perf_counter() - started
    if models is not None:
        models.flush()
    elapsed = time.perf_counter() - started
    driver.close()
    return keys, elapsed, first100


def median_rate(runs: list[tuple[int, float]]) -> float:
    return statistics.median(keys / seconds for keys, seconds in runs)


def measure(
    port: int, rounds: int, with_count: bool, c_binary: Path | None
) -> dict[str, list[tuple[int, float]]]:
    results: dict[str, list[tuple[int, float]]] = {"cli": [], "c": [], "raw": [], "scan": []}
    results["tree"] = []
    firsts: list[float] = []
    steps: list[tuple[str, Callable[[], tuple[int, float]]]] = [
        ("cli", lambda: redis_cli_scan(port, with_count)),
        ("raw", lambda: raw_loop(port)),
    ]
    if c_binary is not None:
        steps.append(("c", lambda: c_scan(c_binary, port)))
    for _ in range(rounds):
        for name, step in steps:
            results[name].append(step())
        keys, seconds, first = scanner_run(port, tree=False)
        results["scan"].append((keys, seconds))
        firsts.append(first)
        keys, seconds, _ = scanner_run(port, tree=True)
        results["tree"].append((keys, seconds))
    results["first100"] = [(1, f) for f in firsts]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with throwaway_server() as port, tempfile.TemporaryDirectory() as tmp:
        seconds = load(port, args.keys)
        dbsize = redis.Redis(port=port, protocol=2).dbsize()
        print(f"loaded {dbsize:,} keys of mixed types in {seconds:.1f} s")
        with_count = cli_supports_count(port)
        c_binary = None if with_count else compile_c_baseline(Path(tmp))
        if not with_count:
            print("note: this redis-cli has no --count (added in 7.2) and scans with COUNT 10;")
            print("      a C SCAN loop with COUNT 1000 stands in for redis-cli --scan --count 1000")
        results = measure(port, args.rounds, with_count, c_binary)
    cli_label = "redis-cli --scan --count 1000" if with_count else "redis-cli --scan (COUNT 10)"
    rows = [(cli_label, median_rate(results["cli"]))]
    if results["c"]:
        rows.append(("C SCAN loop, COUNT 1000", median_rate(results["c"])))
    baseline_label, baseline = rows[-1]
    rows += [
        ("hiredis SCAN COUNT 1000 loop", median_rate(results["raw"])),
        ("dbtui KeyScanner", median_rate(results["scan"])),
        ("dbtui KeyScanner + browser models", median_rate(results["tree"])),
    ]
    print(f"median of {args.rounds} alternating rounds (baseline: {baseline_label}):")
    for label, rate in rows:
        print(f"  {label:<32} {rate:>12,.0f} keys/s   ({rate / baseline:.2f} x baseline)")
    first = statistics.median(f for _, f in results["first100"]) * 1000
    print(f"  first 100 keys ready after        {first:>9.2f} ms")
    ratio = median_rate(results["scan"]) / baseline
    verdict = "OK" if ratio >= 0.8 else "BELOW"
    print(f"scanner / baseline = {ratio:.2f} (target >= 0.80): {verdict}")


if __name__ == "__main__":
    main()
