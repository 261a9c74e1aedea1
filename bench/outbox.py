"""The outbox under load: how fast the worker drains 1,000 queued webhook deliveries, and what
3 webhooks on a site cost submissions (S3) against none, in one run.

    .venv/bin/python -m bench.outbox            # 3 runs of 10 s each way, SQLite and PostgreSQL
    .venv/bin/python -m bench.outbox --quick    # 1 run of 3 s

The receiver is a minimal ASGI app under uvicorn that answers 204 at once (a receiver that is
fast, so the figure is the worker's). Drain: 1,000 ``comment.created`` events written in one
transaction to a site with one endpoint, then one worker (the one ``moderation worker`` runs)
routes and sends them until none is due; events per second from the first round to the last.
S3: wrk as in bench/run.py, alternating runs without endpoints and with 3 (each submission then
owes 3 deliveries) on one server. With SQLite the server's own delivery thread sends them during
the run; with PostgreSQL one ``moderation worker`` process runs beside the server in both cases.

Writes bench/OUTBOX.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import seed
from .run import CACHE, PYTHON, ROOT, Result, free_port, machine, scripts, service, wrk

DRAIN_EVENTS = 1000


async def receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI receiver: reads the body, answers 204."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def start_receiver() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [PYTHON, "-m", "uvicorn", "bench.outbox:receiver", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import urllib.request

    url = f"http://127.0.0.1:{port}/hooks"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=b"{}"), timeout=1).close()
            return process, url
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _app(url: str, instance: Path) -> Any:
    from moderation import create_app

    return create_app(
        {
            "database_url": url,
            "instance_path": str(instance),
            "secret_key": "bench",
            "webhook_allow_private": True,
        }
    )


def _add_endpoints(app: Any, hook_url: str, count: int) -> None:
    from moderation import admin
    from moderation.db import db, write_intent
    from moderation.outbox import endpoints

    write_intent.set(True)  # SQLite: queue for the write lock as the server's writers do
    with app.app_context():
        [site] = admin.get_sites(db.session(), ["bench"])
        for _ in range(count):
            endpoints.add_endpoint(db.session(), site.id, hook_url, allow_private=True)
        db.session.commit()


def _remove_endpoints(app: Any) -> None:
    from moderation.db import db, write_intent
    from moderation.models import Endpoint

    write_intent.set(True)
    with app.app_context():
        for endpoint in db.session.scalars(db.select(Endpoint)):
            db.session.delete(endpoint)
        db.session.commit()


def drain(url: str, instance: Path, hook_url: str) -> dict[str, float]:
    """Queue DRAIN_EVENTS events for one endpoint and time one worker sending them all."""
    from moderation import admin
    from moderation.db import db, write_intent
    from moderation.models import Delivery, DeliveryStatus, Event
    from moderation.outbox import events
    from moderation.outbox.worker import Worker

    app = _app(url, instance)
    _remove_endpoints(app)
    _add_endpoints(app, hook_url, 1)
    token = write_intent.set(True)
    with app.app_context():
        [site] = admin.get_sites(db.session(), ["bench"])
        data = {
            "comment": {
                "id": 1,
                "article": {"id": 1, "key": "/bench/article-1", "url": None, "title": None},
                "parent_id": None,
                "author_name": "Bench",
                "status": "pending",
                "html": "<p>" + "A comment of some length. " * 20 + "</p>",
                "text": "A comment of some length. " * 20,
                "staff": False,
                "badges": [],
                "featured": False,
                "held_because": ["premod"],
                "created_at": "2026-12-03T10:00:00Z",
                "edited_at": None,
            }
        }
        events.emit_many(db.session(), [(site.id, "comment.created", data)] * DRAIN_EVENTS)
        db.session.commit()
    write_intent.reset(token)
    worker = Worker(app, batch=50)
    started = time.perf_counter()
    rounds = 0
    while worker.run_once():
        rounds += 1
    elapsed = time.perf_counter() - started
    with app.app_context():
        sent = db.session.scalar(
            db.select(db.func.count(Delivery.id)).where(Delivery.status == DeliveryStatus.SENT)
        )
        for table in (Delivery, Event):
            db.session.execute(db.delete(table))
        db.session.commit()
        db.engine.dispose()
    _remove_endpoints(app)
    return {"seconds": elapsed, "sent": float(sent or 0), "per_s": (sent or 0) / elapsed}


def s3_runs(
    url: str, instance: Path, hook_url: str, script: str, runs: int, duration: int, pg: bool
) -> dict[str, list[Result]]:
    app = _app(url, instance)
    env_worker: subprocess.Popen[bytes] | None = None
    server = service("moderation (outbox)", url, instance)
    if pg:
        env = {
            **os.environ,
            "MODERATION_DATABASE_URL": url,
            "MODERATION_INSTANCE_PATH": str(instance),
            "MODERATION_SECRET_KEY": "bench",
            "MODERATION_WEBHOOK_ALLOW_PRIVATE": "true",
        }
        env_worker = subprocess.Popen(
            [PYTHON, "-m", "moderation.cli", "worker"], env=env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    found: dict[str, list[Result]] = {"none": [], "three": []}
    try:
        wrk(server.port, script, 2)
        for _ in range(runs):
            _remove_endpoints(app)
            found["none"].append(wrk(server.port, script, duration))
            _add_endpoints(app, hook_url, 3)
            found["three"].append(wrk(server.port, script, duration))
        _remove_endpoints(app)
    finally:
        server.stop()
        if env_worker is not None:
            env_worker.terminate()
            env_worker.wait(10)
    return found


def _median(samples: list[Result], field: str) -> float:
    return statistics.median(getattr(s, field) for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL too (empty to skip)",
    )
    args = parser.parse_args()
    runs, duration = (1, 3) if args.quick else (3, 10)
    rows, drains = [], []
    CACHE.mkdir(parents=True, exist_ok=True)
    # The server's own delivery thread sends to the receiver on this machine.
    os.environ["MODERATION_WEBHOOK_ALLOW_PRIVATE"] = "true"
    hook_process, hook_url = start_receiver()
    try:
        with tempfile.TemporaryDirectory(prefix="moderation-outbox-") as tmp:
            folder = Path(tmp)
            databases = [("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}")]
            if args.postgres:
                databases.append(("PostgreSQL", seed.reset_postgres_schema(args.postgres, "bench")))
            for database, url in databases:
                print(f"seeding {database}", flush=True)
                instance = folder / f"instance-{database}"
                token = seed.seed_service(url, str(instance), pending=0)
                (folder / database).mkdir()
                script = scripts(folder / database, token, pending=1)["s3"]
                result = drain(url, instance, hook_url)
                print(f"  {database}: drained {result['sent']:.0f} in {result['seconds']:.2f} s")
                drains.append(
                    f"| {database} | {result['sent']:.0f} | {result['seconds']:.2f} | "
                    f"{result['per_s']:.0f} |"
                )
                found = s3_runs(
                    url, instance, hook_url, script, runs, duration, database == "PostgreSQL"
                )
                for label, key in (("no webhooks", "none"), ("3 webhooks", "three")):
                    samples = found[key]
                    rows.append(
                        f"| S3 | {database} | {label} | {_median(samples, 'rps'):.0f} | "
                        f"{_median(samples, 'p50_ms'):.2f} | {_median(samples, 'p99_ms'):.2f} | "
                        f"{sum(s.errors for s in samples)} |"
                    )
                    print("  " + rows[-1], flush=True)
    finally:
        hook_process.terminate()
        hook_process.wait(10)
    load = os.getloadavg()
    report = "\n".join(
        [
            "# The outbox under load",
            "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {machine()}; load average at the "
            f"end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.",
            "",
            "Command: `.venv/bin/python -m bench.outbox`" + (" --quick" if args.quick else ""),
            "",
            f"Draining {DRAIN_EVENTS:,} queued webhook deliveries (one worker, batches of 50 sent "
            "8 at a time, to a receiver answering 204 at once):",
            "",
            "| database | delivered | seconds | events/s |",
            "|---|---:|---:|---:|",
            *drains,
            "",
            f"Submissions with and without 3 webhooks on the site "
            f"({'1 run of 3 s' if args.quick else 'medians of 3 runs of 10 s'} each way, "
            "alternating on one server, wrk -t2 -c32; SQLite: the server's own delivery thread "
            "sends during the run; PostgreSQL: one `moderation worker` beside it both ways):",
            "",
            "| scenario | database | site has | req/s | p50 ms | p99 ms | errors |",
            "|---|---|---|---:|---:|---:|---:|",
            *rows,
            "",
        ]
    )
    print("\n" + report)
    if not args.quick:
        (ROOT / "bench" / "OUTBOX.md").write_text(report)


if __name__ == "__main__":
    sys.exit(main())
