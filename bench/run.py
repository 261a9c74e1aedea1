"""The benchmark: this service, the framework's ceiling and Isso 0.14, side by side, under wrk.

    .venv/bin/python -m bench.run            # the full run: 3 runs of 10 s per scenario, medians
    .venv/bin/python -m bench.run --quick    # one short run of each, to try it out
    .venv/bin/python -m bench.run --against c2c4a7c   # and the service at that commit, same run
    .venv/bin/python -m bench.run --only s3 --no-isso # some scenarios only, printed

Every server runs under gunicorn with the same settings, the service's own file
(moderation/gunicorn_conf.py: 2 workers of the front in moderation/front.py, each an event loop
reading requests whole with the app in 2 threads, no access log), on 127.0.0.1, and wrk
drives it from the same machine after a 2 s warm-up that is not counted. The data is seeded in bulk: 200
articles of 50 approved comments (a third of them replies), one article of 5,000, and a million
pending comments for the queue scenario (on SQLite and on PostgreSQL). Isso is installed from PyPI
into its own virtualenv under ~/.cache/moderation-bench and seeded with the same threads.

Scenarios: S1 random 50-comment thread reads; S2 the first page of the 5,000-comment thread;
S3 submissions of ~500 characters with some markup (rate limits off); S4 counts of 50 articles;
S5 the pending queue's first page with 1,000,000 comments in the database, at 32 connections
like the others and at 4 (a newsroom's moderators at work), and pages at random depths of the
queue (random cursors), which the queue-page cache cannot serve: the cost of building a page.

With ``--against REV``, the service as it was at commit REV (checked out with ``git worktree``
under ~/.cache/moderation-bench, seeded by its own bench/seed.py) is measured in the same run,
scenario for scenario after the current one, as "moderation@REV": a change's cost is read from
one run, not from two runs on a machine whose speed drifts.

Writes the table to bench/RESULTS.md with the date, the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import seed

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path.home() / ".cache" / "moderation-bench"
ISSO_VENV = CACHE / "isso-venv"
PYTHON = sys.executable
# Every server runs under the service's own gunicorn settings file (the front of front.py, 2
# threads, keep-alive rebalancing, gc.freeze); the file names the front's worker by its path.
GUNICORN = ["-m", "gunicorn", "-c", str(ROOT / "moderation" / "gunicorn_conf.py"), "--workers", "2"]
CONNECTIONS = 32
# S5 again with a newsroom's moderators at work rather than 32 clients at once.
MODERATORS = 4
S5_FEW = f"S5 ({MODERATORS} conn.)"
SCENARIOS = {
    "s1": "S1", "s2": "S2", "s3": "S3", "s4": "S4", "s5": "S5", "s5-cold": "S5 (random pages)",
}  # fmt: skip
PENDING = 1_000_000


@dataclass
class Result:
    scenario: str
    system: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A server process group, started and stopped as a whole."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        port: int,
        env: dict[str, str],
        health: str,
        cwd: Path | None = None,
    ):
        self.name, self.port = name, port
        self.log = open(CACHE / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        # ``python -m`` puts the working directory first on the path: a service from another
        # tree must run in it, or this checkout's package is the one imported.
        self.process = subprocess.Popen(
            argv, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=cwd,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start; see {self.log.name}") from None
                time.sleep(0.2)

    def worker_rss_mb(self) -> list[float]:
        out = subprocess.run(
            ["ps", "--ppid", str(self.process.pid), "-o", "rss="], capture_output=True, text=True
        ).stdout
        return [int(line) / 1024 for line in out.split()]

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def lua(path: Path, body: str) -> str:
    path.write_text(textwrap.dedent(body))
    return str(path)


def wrk(port: int, script: str, duration: int, connections: int = CONNECTIONS) -> Result:
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency", "-s",
         script, f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def latency(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not found:
            raise RuntimeError(f"no {label}% latency in wrk's output:\n{out}")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors:.*", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(0)))
    return Result("", "", rps, latency("50"), latency("99"), errors)


def measure(
    scenario: str,
    system: str,
    port: int,
    script: str,
    runs: int,
    duration: int,
    connections: int = CONNECTIONS,
) -> Result:
    # A short run first, not counted, so every system is measured warm (caches filled, code
    # paths compiled) rather than on its first requests.
    wrk(port, script, 2, connections)
    samples = [wrk(port, script, duration, connections) for _ in range(runs)]
    result = Result(
        scenario,
        system,
        statistics.median(s.rps for s in samples),
        statistics.median(s.p50_ms for s in samples),
        statistics.median(s.p99_ms for s in samples),
        sum(s.errors for s in samples),
    )
    print(f"  {scenario} {system:<22} {result.rps:>9.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
          f"p99 {result.p99_ms:6.2f} ms  errors {result.errors}", flush=True)  # fmt: skip
    return result


def measure_interleaved(
    scenario: str,
    systems: list[tuple[str, int, str]],
    runs: int,
    duration: int,
    connections: int = CONNECTIONS,
) -> list[Result]:
    """:func:`measure` for several systems at once, their runs taken in turn."""
    for _system, port, script in systems:
        wrk(port, script, 2, connections)  # warm, not counted
    samples: dict[str, list[Result]] = {system: [] for system, _port, _script in systems}
    for _ in range(runs):
        for system, port, script in systems:
            samples[system].append(wrk(port, script, duration, connections))
    results = []
    for system, taken in samples.items():
        result = Result(
            scenario,
            system,
            statistics.median(s.rps for s in taken),
            statistics.median(s.p50_ms for s in taken),
            statistics.median(s.p99_ms for s in taken),
            sum(s.errors for s in taken),
        )
        print(f"  {scenario} {system:<34} {result.rps:>9.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
              f"p99 {result.p99_ms:6.2f} ms  errors {result.errors}", flush=True)  # fmt: skip
        results.append(result)
    return results


def scripts(
    folder: Path, token: str, pending: int = PENDING, base64_cursors: bool = False
) -> dict[str, str]:
    """wrk scripts for both systems; random choices are seeded per wrk thread. Cursors are plain
    ids, or for a service from before that change, base64 of "c1:<id>"."""
    position = f"math.random({pending})"
    cursor_expression = f'b64("c1:" .. {position})' if base64_cursors else f"tostring({position})"
    body = seed.submission_body()
    keys = ", ".join(f'"%2Fbench%2Farticle-{n}"' for n in range(seed.ARTICLES))
    common = f"math.randomseed(os.time() + math.floor(os.clock() * 1e6))\nkeys = {{{keys}}}\n"
    count_query = "&".join(f"article=%2Fbench%2Farticle-{n}" for n in range(50))
    isso_uris = ", ".join(f'"/bench/article-{n}"' for n in range(50))
    return {
        "ceiling": lua(folder / "ceiling.lua", 'request = function() return wrk.format("GET", "/") end\n'),
        "s1": lua(folder / "s1.lua", common + """
            request = function()
              return wrk.format("GET", "/api/v1/sites/bench/articles/" .. keys[math.random(#keys)] .. "/comments")
            end
            """),
        "s1-isso": lua(folder / "s1-isso.lua", common + """
            request = function()
              return wrk.format("GET", "/?uri=" .. keys[math.random(#keys)])
            end
            """),
        "s2": lua(folder / "s2.lua", 'request = function() return wrk.format("GET", "/api/v1/sites/bench/articles/%2Fbench%2Fbig/comments?limit=50") end\n'),
        "s2-isso": lua(folder / "s2-isso.lua", 'request = function() return wrk.format("GET", "/?uri=%2Fbench%2Fbig&limit=50") end\n'),
        "s3": lua(folder / "s3.lua", common + f"""
            body = '{{"author_name": "Bench", "body": ' .. [==[{body}]==] .. '}}'
            request = function()
              return wrk.format("POST", "/api/v1/sites/bench/articles/" .. keys[math.random(#keys)] .. "/comments",
                {{["Content-Type"] = "application/json"}}, body)
            end
            """),
        "s3-isso": lua(folder / "s3-isso.lua", common + f"""
            body = '{{"author": "Bench", "text": ' .. [==[{body}]==] .. '}}'
            request = function()
              return wrk.format("POST", "/new?uri=" .. keys[math.random(#keys)],
                {{["Content-Type"] = "application/json"}}, body)
            end
            """),
        "s4": lua(folder / "s4.lua", f'request = function() return wrk.format("GET", "/api/v1/sites/bench/counts?{count_query}") end\n'),
        "s4-isso": lua(folder / "s4-isso.lua", f"""
            body = '[{isso_uris}]'
            request = function()
              return wrk.format("POST", "/count", {{["Content-Type"] = "application/json"}}, body)
            end
            """),
        "s5": lua(folder / "s5.lua", f"""
            request = function()
              return wrk.format("GET", "/api/v1/sites/bench/queue?limit=50",
                {{["Authorization"] = "Bearer {token}"}})
            end
            """),
        # Pages at random depths of the queue, each almost never asked for twice: what a page
        # costs when it is built from the database rather than served from the cache.
        "s5-cold": lua(folder / "s5-cold.lua", common + f"""
            chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            -- base64url without padding, as the service writes its cursors ("c1:<last id>")
            b64 = function(s)
              local out = {{}}
              for i = 1, #s, 3 do
                local a, b, c = s:byte(i, i + 2)
                local n = a * 65536 + (b or 0) * 256 + (c or 0)
                local digits = {{math.floor(n / 262144) % 64, math.floor(n / 4096) % 64,
                                 math.floor(n / 64) % 64, n % 64}}
                local left = #s - i + 1
                for j = 1, (left >= 3 and 4 or left + 1) do
                  out[#out + 1] = chars:sub(digits[j] + 1, digits[j] + 1)
                end
              end
              return table.concat(out)
            end
            request = function()
              local cursor = {cursor_expression}
              return wrk.format("GET", "/api/v1/sites/bench/queue?limit=50&cursor=" .. cursor,
                {{["Authorization"] = "Bearer {token}"}})
            end
            """),
    }  # fmt: skip


def service(name: str, database_url: str, instance: Path, tree: Path | None = None) -> Server:
    """The service on a free port; from the source tree ``tree`` (another commit's) if given."""
    port = free_port()
    env = {
        **os.environ,
        "MODERATION_DATABASE_URL": database_url,
        "MODERATION_INSTANCE_PATH": str(instance),
        "MODERATION_SECRET_KEY": "bench",
        "MODERATION_RATE_LIMITS": "false",
    }
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    argv = [PYTHON, "-m", "moderation.cli", "serve", "--port", str(port), "--workers", "2",
            "--no-access-log"]  # fmt: skip
    server = Server(name, argv, port, env, "/healthz", cwd=tree or ROOT)
    if tree is not None:
        _check_runs_from(server, tree)
    return server


def _check_runs_from(server: Server, tree: Path) -> None:
    """Refuse to measure a service that is not the one it claims to be."""
    found = subprocess.run(
        ["ps", "--ppid", str(server.process.pid), "-o", "pid="], capture_output=True, text=True
    ).stdout.split()
    for pid in found:
        maps = Path(f"/proc/{pid}/cwd").resolve()
        if maps != tree.resolve():
            server.stop()
            raise RuntimeError(f"{server.name} runs from {maps}, not {tree}")


@dataclass
class Baseline:
    """The service at another commit: its source tree, seeded by its own bench/seed.py."""

    rev: str
    tree: Path

    @classmethod
    def checkout(cls, rev: str) -> Baseline:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
            check=True,
        ).stdout.strip()  # fmt: skip
        tree = CACHE / f"against-{commit}"
        if not tree.exists():
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True
            )
        return cls(commit, tree)

    @property
    def base64_cursors(self) -> bool:
        return not (self.tree / "moderation" / "comments" / "cursors.py").exists()

    def seed(self, database_url: str, instance: Path, pending: int) -> str:
        code = (
            "import sys; from bench import seed; "
            "print(seed.seed_service(sys.argv[1], sys.argv[2], pending=int(sys.argv[3])))"
        )
        out = subprocess.run(
            [PYTHON, "-c", code, database_url, str(instance), str(pending)],
            cwd=self.tree, env={**os.environ, "PYTHONPATH": str(self.tree)},
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return out.strip().splitlines()[-1]

    def system(self, database: str) -> str:
        return f"moderation@{self.rev} ({database})"


def install_isso() -> Path:
    """Isso 0.14 in a virtualenv of its own, with gunicorn and uvicorn: it is served by the same
    front as this service and the ceiling (moderation/front.py, found on PYTHONPATH)."""
    python = ISSO_VENV / "bin" / "python"
    worker = next((ISSO_VENV / "lib").glob("python3*/site-packages/uvicorn_worker"), None)
    if worker is None:
        print("installing Isso 0.14 from PyPI into", ISSO_VENV, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "isso==0.14.*", "gunicorn",
             "uvicorn[standard]", "uvicorn-worker"],
            check=True,
        )  # fmt: skip
    return python


def isso(folder: Path) -> Server:
    python = install_isso()
    port = free_port()
    db_path = folder / "isso.sqlite3"
    config = folder / "isso.cfg"
    config.write_text(textwrap.dedent(f"""
        [general]
        dbpath = {db_path}
        host = http://127.0.0.1:{port}/
        [moderation]
        enabled = false
        [guard]
        enabled = false
        [server]
        listen = http://127.0.0.1:{port}/
        """))  # fmt: skip
    env = {**os.environ, "ISSO_SETTINGS": str(config), "PYTHONPATH": str(ROOT)}
    # Let Isso create its schema, then seed it while it is stopped.
    bootstrap = Server(
        "isso-bootstrap",
        [str(python), *GUNICORN[:2], "--bind", f"127.0.0.1:{port}", "isso.run:application"],
        port, env, "/info",
    )  # fmt: skip
    bootstrap.stop()
    seed.seed_isso(str(db_path))
    return Server(
        "isso",
        [str(python), *GUNICORN, "--bind", f"127.0.0.1:{port}", "isso.run:application"],
        port, env, "/info",
    )  # fmt: skip


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = next(
        int(line.split()[1]) // 1024 // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return f"{os.cpu_count()} cores, {cpu}, {mem} GiB, {platform.system()} {platform.release()}"


def table(results: list[Result], memory: dict[str, list[float]]) -> str:
    # The higher of the two ceiling measurements is the reference: the harder one to approach.
    ceiling = max((r for r in results if r.system.startswith("ceiling")), key=lambda r: r.rps)
    isso_by = {r.scenario: r for r in results if r.system == "isso"}
    lines = [
        "| scenario | system | req/s | p50 ms | p99 ms | vs ceiling | vs Isso | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        versus_isso = ""
        if r.system.startswith("moderation") and r.scenario in isso_by:
            versus_isso = f"{r.rps / isso_by[r.scenario].rps:.1f}x"
        lines.append(
            f"| {r.scenario} | {r.system} | {r.rps:.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
            f"{r.rps / ceiling.rps:.0%} | {versus_isso} | {r.errors} |"
        )
    lines.append("")
    lines.append("Memory per worker (RSS after the run):")
    for name, sizes in memory.items():
        lines.append(f"- {name}: " + ", ".join(f"{s:.0f} MB" for s in sizes))
    return "\n".join(lines)


def ceiling_run(
    name: str, lua_scripts: dict[str, str], runs: int, duration: int, memory: dict[str, list[float]]
) -> Result:
    port = free_port()
    ceiling = Server(
        "ceiling",
        [PYTHON, *GUNICORN, "--bind", f"127.0.0.1:{port}", "bench.ceiling:app"],
        port, {**os.environ, "PYTHONPATH": str(ROOT)}, "/",
    )  # fmt: skip
    try:
        result = measure("-", name, ceiling.port, lua_scripts["ceiling"], runs, duration)
        memory["ceiling"] = ceiling.worker_rss_mb()
    finally:
        ceiling.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of 3 s per scenario")
    parser.add_argument("--pending", type=int, default=PENDING, help="comments in the queue")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL for S5 (empty to skip)",
    )
    parser.add_argument("--no-isso", action="store_true")
    parser.add_argument("--against", metavar="REV", help="also measure the service at commit REV")
    parser.add_argument(
        "--only",
        metavar="S3,S5",
        type=lambda text: {name.strip().lower() for name in text.split(",")},
        help="only these scenarios (printed, not written to RESULTS.md)",
    )
    args = parser.parse_args()
    chosen = args.only or set(SCENARIOS) | {"s5-cold"}
    baseline = Baseline.checkout(args.against) if args.against else None
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    runs, duration = (1, 3) if args.quick else (3, 10)
    CACHE.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    memory: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="moderation-bench-") as tmp:
        folder = Path(tmp)
        print("seeding SQLite", flush=True)
        sqlite_url = f"sqlite:///{folder / 'bench.sqlite3'}"
        token = seed.seed_service(sqlite_url, str(folder / "instance"), pending=args.pending)
        lua_scripts = scripts(folder, token, args.pending)

        results.append(ceiling_run("ceiling (start)", lua_scripts, runs, duration, memory))

        @dataclass
        class Subject:
            """A service to measure: its name, database, instance folder, scripts and tree."""

            system: str
            url: str
            instance: Path
            lua: dict[str, str]
            tree: Path | None = None

        def run_services(subjects: list[Subject], scenarios: tuple[str, ...]) -> None:
            """Each scenario on every subject, their runs interleaved (A, B, A, B, ...): the
            machine's speed drifts over minutes, and a side-by-side comparison should see the
            same drift on both sides."""
            servers = [service(s.system, s.url, s.instance, s.tree) for s in subjects]
            try:
                plan = [
                    (SCENARIOS[name], name, CONNECTIONS) for name in scenarios if name in chosen
                ]
                if "s5" in chosen:
                    plan.append((S5_FEW, "s5", MODERATORS))
                for label, name, connections in plan:
                    measured = measure_interleaved(
                        label,
                        [(s.system, server.port, s.lua[name]) for s, server in zip(subjects, servers, strict=True)],
                        runs, duration, connections,
                    )  # fmt: skip
                    results.extend(measured)
                for subject, server in zip(subjects, servers, strict=True):
                    memory[subject.system] = server.worker_rss_mb()
            finally:
                for server in servers:
                    server.stop()

        def baseline_subject(database: str, url: str) -> Subject:
            assert baseline is not None
            print(f"seeding {database} for {baseline.rev}", flush=True)
            instance = folder / f"instance-{baseline.rev}-{database}"
            old_token = baseline.seed(url, instance, args.pending)
            (folder / f"{baseline.rev}-{database}").mkdir()
            old_scripts = scripts(
                folder / f"{baseline.rev}-{database}", old_token, args.pending,
                base64_cursors=baseline.base64_cursors,
            )  # fmt: skip
            return Subject(baseline.system(database), url, instance, old_scripts, baseline.tree)

        sqlite_scenarios = ("s1", "s2", "s4", "s5", "s5-cold", "s3")
        subjects = [Subject("moderation (SQLite)", sqlite_url, folder / "instance", lua_scripts)]
        if baseline is not None:
            subjects.append(baseline_subject("SQLite", f"sqlite:///{folder / 'baseline.sqlite3'}"))
        run_services(subjects, sqlite_scenarios)

        if args.postgres:
            print("seeding PostgreSQL", flush=True)
            pg_url = seed.reset_postgres_schema(args.postgres, "bench")
            pg_token = seed.seed_service(pg_url, str(folder / "instance-pg"), pending=args.pending)
            (folder / "pg").mkdir()
            pg_scripts = scripts(folder / "pg", pg_token, args.pending)
            subjects = [
                Subject("moderation (PostgreSQL)", pg_url, folder / "instance-pg", pg_scripts)
            ]
            if baseline is not None:
                old_url = seed.reset_postgres_schema(args.postgres, "bench_baseline")
                subjects.append(baseline_subject("PostgreSQL", old_url))
            run_services(subjects, ("s1", "s4", "s5", "s5-cold", "s3"))

        if not args.no_isso:
            print("starting Isso", flush=True)
            other = isso(folder)
            try:
                for scenario in [name for name in ("s1", "s2", "s4", "s3") if name in chosen]:
                    results.append(measure(scenario.upper(), "isso", other.port,
                                           lua_scripts[f"{scenario}-isso"], runs, duration))  # fmt: skip
                memory["isso"] = other.worker_rss_mb()
            finally:
                other.stop()

        # Measured again at the end: the machine's state (the seeding's writes still being
        # flushed, say) can hold one measurement down, and a low ceiling flatters every ratio.
        results.append(ceiling_run("ceiling (end)", lua_scripts, runs, duration, memory))

    results.sort(key=lambda r: (r.scenario, r.system))
    report = table(results, memory)
    load = os.getloadavg()
    header = (
        f"# Benchmark results\n\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{'quick run (1 x 3 s)' if args.quick else 'medians of 3 runs of 10 s'}, "
        f"wrk -t2 -c{CONNECTIONS} (and -c{MODERATORS} for {S5_FEW}) after a 2 s warm-up, "
        f"{args.pending:,} pending comments for S5.\n\n"
        f"Machine: {machine()}; load average before the run's end "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.\n\n"
        "Command: `.venv/bin/python -m bench.run`"
        + (" --quick" if args.quick else "")
        + (f" --against {args.against}" if args.against else "")
        + "\n\n"
    )
    print("\n" + report)
    if not args.quick and not args.only:
        (ROOT / "bench" / "RESULTS.md").write_text(header + report + "\n")
        print("\nwritten to bench/RESULTS.md")


if __name__ == "__main__":
    main()
