"""Live updates: idle readers held open, then decisions, timed until every reader has each.

    python -m bench.live [--clients 1000] [--decisions 5] [--postgres URL | --postgres ""]

Two service processes (``moderation serve --workers 2`` each) share one database: PostgreSQL,
whose NOTIFY wakes every process at commit, and SQLite, whose processes read the outbox on a
timer. ``--clients`` Server-Sent Events connections to one article are spread over both; once
all are open, a comment on that article is approved through one process, ``--decisions``
times, and each reader notes when the comment reached it. Writes bench/LIVE.md: the time from
the decision's request to each reader's copy (median, p99, max), what the decision itself took,
and the workers' memory before and after the readers connected.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .run import CACHE, PYTHON, ROOT, Server, free_port, machine
from .seed import reset_postgres_schema

ARTICLE = "/2026/12/live-story"


def prepare(database_url: str, instance: Path) -> str:
    """A migrated database with the pre-moderated site ``bench``; a moderation API token."""
    from moderation import create_app
    from moderation.db import db
    from moderation.identity import new_token, token_hash
    from moderation.migrate import upgrade_database
    from moderation.models import ApiToken, ModerationMode, Site

    app = create_app({"database_url": database_url, "instance_path": str(instance),
                      "secret_key": "bench"})  # fmt: skip
    upgrade_database(app)
    token = new_token()
    with app.app_context():
        rules = {"hold_first_comments": 0, "repeat_window_minutes": 0}
        site = Site(slug="bench", name="Bench", origins=["http://127.0.0.1"],
                    moderation_mode=ModerationMode.PRE, rule_settings=rules)  # fmt: skip
        db.session.add(site)
        db.session.flush()
        db.session.add(ApiToken(site_id=site.id, token_hash=token_hash(token), label="bench"))
        db.session.commit()
        db.engine.dispose()
    return token


def serve(name: str, database_url: str, instance: Path) -> Server:
    port = free_port()
    env = {**os.environ, "MODERATION_DATABASE_URL": database_url,
           "MODERATION_INSTANCE_PATH": str(instance), "MODERATION_SECRET_KEY": "bench",
           "MODERATION_RATE_LIMITS": "false", "MODERATION_MIN_FORM_SECONDS": "0"}  # fmt: skip
    argv = [PYTHON, "-m", "moderation.cli", "serve", "--port", str(port), "--workers", "2",
            "--no-access-log"]  # fmt: skip
    return Server(name, argv, port, env, "/healthz", cwd=ROOT)


def call(port: int, path: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}",
                                     json.dumps(body).encode(), headers)  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


class Reader:
    """One idle connection to the article's stream, noting when each comment reaches it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.arrived: dict[int, float] = {}
        self.ready = asyncio.Event()

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        key = urllib.request.quote(ARTICLE, safe="")
        writer.write(f"GET /api/v1/sites/bench/articles/{key}/events HTTP/1.1\r\n"
                     "Host: bench\r\nAccept: text/event-stream\r\n\r\n".encode())  # fmt: skip
        buffer = b""
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                now = time.perf_counter()
                buffer += chunk
                if b"event: ready" in buffer:
                    self.ready.set()
                while b"event: comment\ndata: " in buffer:
                    _, _, rest = buffer.partition(b"event: comment\ndata: ")
                    line, _, buffer = rest.partition(b"\n")
                    if not line.startswith(b"{"):
                        continue
                    self.arrived.setdefault(json.loads(line)["id"], now)
        finally:
            writer.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(ports: list[int], token: str, clients: int, decisions: int) -> dict[str, Any]:
    readers = [Reader(ports[n % len(ports)]) for n in range(clients)]
    tasks = [asyncio.create_task(r.run()) for r in readers]
    opened = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(r.ready.wait() for r in readers)), 120)
    connect_seconds = time.perf_counter() - opened
    await asyncio.sleep(1)
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    missing = 0
    decision_ms: list[float] = []
    thread = f"/sites/bench/articles/{urllib.request.quote(ARTICLE, safe='')}/comments"
    for n in range(decisions):
        body = {"author_name": "Bench", "body": f"Comment {n} of the live bench."}
        created = await loop.run_in_executor(None, call, ports[0], thread, body)
        comment = created["comment"]["id"]
        await asyncio.sleep(0.5)
        sent = time.perf_counter()
        decision = {"action": "approve"}
        path = f"/comments/{comment}/decision"
        await loop.run_in_executor(None, call, ports[-1], path, decision, token)
        decision_ms.append((time.perf_counter() - sent) * 1000)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(comment in r.arrived for r in readers):
            await asyncio.sleep(0.01)
        got = [r.arrived[comment] - sent for r in readers if comment in r.arrived]
        missing += clients - len(got)
        latencies.extend(got)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    ms = [value * 1000 for value in latencies]
    return {
        "connect_s": connect_seconds,
        "median_ms": statistics.median(ms),
        "p99_ms": percentile(ms, 0.99),
        "max_ms": max(ms),
        "decision_ms": statistics.median(decision_ms),
        "missing": missing,
    }


def run_one(label: str, database_url: str, folder: Path, clients: int, decisions: int) -> str:
    token = prepare(database_url, folder)
    name = label.split()[0].lower()
    servers = [serve(f"live-{name}-{n}", database_url, folder) for n in range(2)]
    try:
        before = [mb for s in servers for mb in s.worker_rss_mb()]
        figures = asyncio.run(measure([s.port for s in servers], token, clients, decisions))
        after = [mb for s in servers for mb in s.worker_rss_mb()]
    finally:
        for server in servers:
            server.stop()
    return (
        f"| {label} | {clients:,} | {figures['connect_s']:.1f} s | {figures['median_ms']:.0f} ms "
        f"| {figures['p99_ms']:.0f} ms | {figures['max_ms']:.0f} ms | {figures['decision_ms']:.0f}"
        f" ms | {figures['missing']} | {statistics.mean(before):.0f} → "
        f"{statistics.mean(after):.0f} MB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=5)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.clients)), hard))
    CACHE.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="moderation-live-") as tmp:
        if args.postgres:
            url = reset_postgres_schema(args.postgres, "bench_live")
            (Path(tmp) / "pg").mkdir()
            rows.append(run_one("PostgreSQL (NOTIFY)", url, Path(tmp) / "pg", args.clients,
                                args.decisions))  # fmt: skip
            print(rows[-1], flush=True)
        if not args.no_sqlite:
            (Path(tmp) / "sqlite").mkdir()
            url = f"sqlite:///{Path(tmp) / 'sqlite' / 'live.sqlite3'}"
            rows.append(run_one("SQLite (timer)", url, Path(tmp) / "sqlite", args.clients,
                                args.decisions))  # fmt: skip
            print(rows[-1], flush=True)
    report = "\n".join([
        "# Live updates: readers held open, one decision at a time",
        "",
        f"{datetime.now(UTC):%Y-%m-%d}, {machine()}. `python -m bench.live --clients "
        f"{args.clients} --decisions {args.decisions}`: two `moderation serve --workers 2` "
        "processes on one database; the readers spread over both; each comment is posted "
        "through one process and approved through the other. Time: from the approval's request "
        "to the comment's arrival at each reader, over all readers and decisions.",
        "",
        "| database (wake-up) | readers | all connected in | median | p99 | max | the approval "
        "| never arrived | memory per worker (before → with readers) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        *rows,
        "",
    ])  # fmt: skip
    (ROOT / "bench" / "LIVE.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
