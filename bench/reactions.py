"""S1 (random 50-comment thread reads) while readers react, against S1 without them, one run.

    .venv/bin/python -m bench.reactions            # 3 runs of 10 s each way, SQLite and PostgreSQL
    .venv/bin/python -m bench.reactions --quick    # 1 run of 3 s

Reactions arrive at a steady rate (50 a second by default) on comments of the same 200 articles
S1 reads, each from a new guest (a random X-Guest-Key), while wrk reads. A reaction does not move
the article's version; it marks the second, and a thread is rendered again at most once a second
while reactions pour in (``threads.reaction_mark``): this measures what that costs the reads.
Quiet and reacting runs alternate on one server, so both see the same machine.

Writes bench/REACTIONS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from . import seed
from .run import ROOT, Result, machine, scripts, service, wrk

SENDERS = 4
COMMENTS = seed.ARTICLES * seed.PER_ARTICLE  # the ids of S1's articles' comments: 1..10,000


class Reactor(threading.Thread):
    """Reactions at ``rate`` a second, each from a new guest, on random comments of S1's
    articles; counts what was answered."""

    def __init__(self, port: int, rate: float) -> None:
        super().__init__(daemon=True)
        self.port, self.rate = port, rate
        self.stopping = threading.Event()
        self.sent = self.ok = 0
        self.late: list[float] = []

    def run(self) -> None:
        interval = 1 / self.rate
        due = time.monotonic()
        while not self.stopping.is_set():
            comment = random.randint(1, COMMENTS)
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/api/v1/comments/{comment}/reactions",
                method="POST",
                headers={"X-Guest-Key": secrets.token_urlsafe(24)},
            )
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    self.ok += answer.status == 201
            except OSError:
                pass
            self.sent += 1
            due += interval
            pause = due - time.monotonic()
            if pause > 0:
                self.stopping.wait(pause)
            else:
                self.late.append(-pause)


def measure(port: int, script: str, runs: int, duration: int, rate: float) -> dict[str, object]:
    wrk(port, script, 2)  # warm, not counted
    quiet: list[Result] = []
    reacting: list[Result] = []
    sent = ok = 0
    for _ in range(runs):
        quiet.append(wrk(port, script, duration))
        # Several senders, so that a slow answer does not hold the rate down.
        reactors = [Reactor(port, rate / SENDERS) for _ in range(SENDERS)]
        for reactor in reactors:
            reactor.start()
        started = time.monotonic()
        reacting.append(wrk(port, script, duration))
        elapsed = time.monotonic() - started
        for reactor in reactors:
            reactor.stopping.set()
        for reactor in reactors:
            reactor.join()
            sent += reactor.sent
            ok += reactor.ok
    return {
        "quiet": quiet,
        "reacting": reacting,
        "reactions_per_s": ok / (elapsed * runs) if elapsed else 0.0,
        "sent": sent,
        "ok": ok,
    }


def _median(samples: list[Result], field: str) -> float:
    return statistics.median(getattr(s, field) for s in samples)


def _row(database: str, label: str, samples: list[Result]) -> str:
    errors = sum(s.errors for s in samples)
    return (
        f"| S1 | {database} | {label} | {_median(samples, 'rps'):.0f} | "
        f"{_median(samples, 'p50_ms'):.2f} | {_median(samples, 'p99_ms'):.2f} | {errors} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rate", type=float, default=50.0, help="reactions a second")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL too (empty to skip)",
    )
    args = parser.parse_args()
    runs, duration = (1, 3) if args.quick else (3, 10)
    lines = []
    with tempfile.TemporaryDirectory(prefix="moderation-reactions-") as tmp:
        folder = Path(tmp)
        databases = [("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}")]
        if args.postgres:
            databases.append(("PostgreSQL", seed.reset_postgres_schema(args.postgres, "bench")))
        for database, url in databases:
            print(f"seeding {database}", flush=True)
            instance = folder / f"instance-{database}"
            token = seed.seed_service(url, str(instance), pending=0)
            (folder / database).mkdir()
            script = scripts(folder / database, token, pending=1)["s1"]
            server = service(f"moderation ({database})", url, instance)
            try:
                found = measure(server.port, script, runs, duration, args.rate)
            finally:
                server.stop()
            quiet, reacting = found["quiet"], found["reacting"]
            assert isinstance(quiet, list) and isinstance(reacting, list)
            rate = found["reactions_per_s"]
            print(
                f"  {database}: quiet {_median(quiet, 'rps'):.0f} req/s, with reactions "
                f"{_median(reacting, 'rps'):.0f} req/s ({rate:.1f} reactions/s answered 201, "
                f"{found['ok']} of {found['sent']})",
                flush=True,
            )
            lines.append(_row(database, "no reactions", quiet))
            lines.append(_row(database, f"{rate:.0f} reactions/s", reacting))
    load = os.getloadavg()
    report = "\n".join(
        [
            "# S1 with and without reactions",
            "",
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"{'1 run of 3 s' if args.quick else 'medians of 3 runs of 10 s'} each way, "
            f"alternating on one server, wrk -t2 -c32; reactions at {args.rate:g}/s from new "
            "guests on random comments of the articles read.",
            "",
            f"Machine: {machine()}; load average at the end {load[0]:.2f} {load[1]:.2f} "
            f"{load[2]:.2f}.",
            "",
            "Command: `.venv/bin/python -m bench.reactions`" + (" --quick" if args.quick else ""),
            "",
            "| scenario | database | while | req/s | p50 ms | p99 ms | errors |",
            "|---|---|---|---:|---:|---:|---:|",
            *lines,
            "",
        ]
    )
    print("\n" + report)
    if not args.quick:
        (ROOT / "bench" / "REACTIONS.md").write_text(report)


if __name__ == "__main__":
    main()
