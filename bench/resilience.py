"""The resilience run: reads and submissions per second, quiet and under attack.

    .venv/bin/python -m bench.resilience                     # this checkout, on SQLite
    .venv/bin/python -m bench.resilience --against c2c4a7c   # and the service at that commit

The attack, held for the whole of each measurement: 32 slow clients (a third sending their
headers one byte a second, a third their body, a third asking for a thread and reading the
answer one byte a second) and 4 adversarial comments a second (5,000 characters of ``a-.``,
the input that once took the link finder seconds). wrk reads random 50-comment threads (S1)
and submits ~500-character comments (S3) at 32 connections, as in ``bench.run``; a sampler asks
for ``/healthz`` every 100 ms. Each figure is measured quiet, then under attack, on the same
server. Writes bench/RESILIENCE.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import seed
from .run import ROOT, Baseline, Server, machine, scripts, service, wrk

SLOW_CLIENTS = 32
ADVERSARIAL_PER_SECOND = 4
ADVERSARIAL_BODY = "a-." * 1666


@dataclass
class Attack:
    """The slow clients and the adversarial poster, in threads, until ``stop``."""

    port: int
    stop: threading.Event = field(default_factory=threading.Event)
    posted: list[float] = field(default_factory=list)  # seconds each adversarial post took
    refused: int = 0
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        kinds = (self._slow_headers, self._slow_body, self._slow_reader)
        for n in range(SLOW_CLIENTS):
            self._spawn(kinds[n % 3])
        for _ in range(ADVERSARIAL_PER_SECOND):
            self._spawn(self._adversary)

    def end(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)

    def _spawn(self, target) -> None:  # type: ignore[no-untyped-def]
        thread = threading.Thread(target=self._forever, args=(target,), daemon=True)
        thread.start()
        self.threads.append(thread)

    def _forever(self, target) -> None:  # type: ignore[no-untyped-def]
        # A slow client the server closed (as it should) comes back at once.
        while not self.stop.is_set():
            try:
                target()
            except OSError:
                time.sleep(0.05)

    def _connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def _dribble(self, sock: socket.socket, data: bytes) -> None:
        for byte in data:
            if self.stop.wait(1):
                return
            sock.sendall(bytes([byte]))

    def _slow_headers(self) -> None:
        with self._connect() as sock:
            self._dribble(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 4000)

    def _slow_body(self) -> None:
        with self._connect() as sock:
            path = "/api/v1/sites/bench/articles/%2Fbench%2Farticle-1/comments"
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 4000\r\n\r\n".encode()
            )
            self._dribble(sock, b"{" + b" " * 3999)

    def _slow_reader(self) -> None:
        with self._connect() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
            path = "/api/v1/sites/bench/articles/%2Fbench%2Fbig/comments?limit=100"
            request = f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n" * 50
            sock.sendall(request.encode())
            while not self.stop.wait(1):
                if not sock.recv(1):
                    return

    def _adversary(self) -> None:
        body = json.dumps({"author_name": "Adversary", "body": ADVERSARIAL_BODY})
        path = "/api/v1/sites/bench/articles/%2Fbench%2Fadversarial/comments"
        while not self.stop.is_set():
            began = time.monotonic()
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                connection.request("POST", path, body, {"Content-Type": "application/json"})
                if connection.getresponse().status >= 400:
                    self.refused += 1
            finally:
                connection.close()
            took = time.monotonic() - began
            self.posted.append(took)
            self.stop.wait(max(0.0, 1.0 - took))


@contextmanager
def health_sampler(port: int) -> Iterator[list[float]]:
    """``/healthz`` every 100 ms; yields the list its answer times (s) go into (timeouts: 5)."""
    times: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.1):
            began = time.monotonic()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                    pass
                times.append(time.monotonic() - began)
            except OSError:
                times.append(5.0)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield times
    finally:
        stop.set()
        thread.join()


@dataclass
class Row:
    system: str
    scenario: str
    condition: str
    rps: float
    p99_ms: float
    errors: int
    health_p50_ms: float
    health_max_ms: float
    adversarial: str = ""


def measure(server: Server, system: str, lua: dict[str, str], duration: int) -> list[Row]:
    rows = []
    for scenario in ("s1", "s3"):
        wrk(server.port, lua[scenario], 2)  # warm, not counted
    for condition in ("quiet", "under attack"):
        attack = Attack(server.port) if condition == "under attack" else None
        if attack:
            attack.start()
            time.sleep(2)  # the slow clients connected, the first adversarial posts in
        try:
            for scenario in ("s1", "s3"):
                with health_sampler(server.port) as health:
                    result = wrk(server.port, lua[scenario], duration)
                adversarial = ""
                if attack:
                    adversarial = f"{len(attack.posted)} answered"
                    if attack.posted:
                        adversarial += f" in {statistics.median(attack.posted):.2f} s (median)"
                row = Row(
                    system, scenario.upper(), condition, result.rps, result.p99_ms,
                    result.errors, 1000 * statistics.median(health or [5.0]),
                    1000 * max(health or [5.0]), adversarial,
                )  # fmt: skip
                print(
                    f"  {system:<28} {row.scenario} {condition:<13} {row.rps:>8.0f} req/s  "
                    f"p99 {row.p99_ms:8.1f} ms  errors {row.errors:>6}  /healthz "
                    f"{row.health_p50_ms:.1f}/{row.health_max_ms:.0f} ms  {adversarial}",
                    flush=True,
                )
                rows.append(row)
        finally:
            if attack:
                attack.end()
    return rows


def table(rows: list[Row]) -> str:
    lines = [
        "| system | scenario | condition | req/s | p99 ms | errors | /healthz p50 / max ms "
        "| adversarial comments |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.system} | {r.scenario} | {r.condition} | {r.rps:,.0f} | {r.p99_ms:,.1f} | "
            f"{r.errors:,} | {r.health_p50_ms:.1f} / {r.health_max_ms:,.0f} | {r.adversarial} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="also measure the service at commit REV")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    args = parser.parse_args()
    baseline = Baseline.checkout(args.against) if args.against else None
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="moderation-resilience-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'r.sqlite3'}"
        token = seed.seed_service(url, str(folder / "instance"), pending=1000)
        subjects = [("moderation (SQLite)", url, folder / "instance", scripts(folder, token, 1000))]
        trees: list[Path | None] = [None]
        if baseline is not None:
            old_url = f"sqlite:///{folder / 'old.sqlite3'}"
            old_token = baseline.seed(old_url, folder / "old-instance", 1000)
            (folder / "old").mkdir()
            old_lua = scripts(
                folder / "old", old_token, 1000, base64_cursors=baseline.base64_cursors
            )
            subjects.append((baseline.system("SQLite"), old_url, folder / "old-instance", old_lua))
            trees.append(baseline.tree)
        for (system, database_url, instance, lua), tree in zip(subjects, trees, strict=True):
            server = service(system, database_url, instance, tree)
            try:
                rows += measure(server, system, lua, args.duration)
            finally:
                server.stop()
    report = table(rows)
    header = (
        f"# Resilience\n\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, one run of {args.duration} s "
        f"per figure, wrk -t2 -c32; under attack: {SLOW_CLIENTS} slow clients and "
        f"{ADVERSARIAL_PER_SECOND} adversarial comments a second (see bench/resilience.py).\n\n"
        f"Machine: {machine()}.\n\nCommand: `.venv/bin/python -m bench.resilience`"
        + (f" --against {args.against}" if args.against else "")
        + "\n\n"
    )
    print("\n" + report)
    (ROOT / "bench" / "RESILIENCE.md").write_text(header + report + "\n")
    print("\nwritten to bench/RESILIENCE.md")


if __name__ == "__main__":
    main()
