"""How fast ``moderation import`` takes a large Disqus export, and in how much memory.

    .venv/bin/python -m bench.import_disqus                      # 1,000,000 comments
    .venv/bin/python -m bench.import_disqus --comments 20000     # a quick look
    .venv/bin/python -m bench.import_disqus --comments 20000 --format jsonl

Generates an export of N comments over more than 10,000 threads, in Disqus's documented format
(``<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">``, every
``<thread dsq:id>`` first, then the ``<post dsq:id>``), streamed to a file a post at a time so
the generator holds none of it. A fraction of the posts are replies, and some of those come before
their parent, as Disqus exports do. Then ``moderation init``, ``site create`` and ``moderation
import --format disqus`` run in subprocesses on a fresh SQLite database; comments per second
are the import's wall time, peak memory the children's largest resident set
(``getrusage(RUSAGE_CHILDREN)``). ``--format jsonl`` writes the same comments as our own JSON
Lines instead (to check the pipeline before the Disqus reader exists).

Writes bench/IMPORT.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from .run import PYTHON, ROOT, machine

START = datetime(2015, 1, 1, tzinfo=UTC)
#: One post in this many is a reply; of replies, one in this many comes before its parent.
REPLY_EVERY = 3
EARLY_EVERY = 20
BODIES = (
    "<p>I agree with most of this, but the second half misses the point.</p>",
    "<p>Great piece.</p><p>Sources: https://example.org/report and "
    '<a href="https://example.org/data">the data</a>.</p>',
    "<p>Is there a <b>follow-up</b> planned?<br>Asking for a friend.</p>",
    "Plain text,\nwith a line break and an &amp; sign.",
    '<p>Nice<script>alert("x")</script> <img src=x onerror="alert(1)"></p>',
)


def _mix(n: int) -> int:
    """A deterministic scramble of n: which posts are replies, without holding a list."""
    return (n * 2654435761) % 4294967296


def is_reply(position: int, threads: int) -> bool:
    return position >= threads and _mix(position) % REPLY_EVERY == 0


def parent_of(position: int, threads: int, comments: int) -> int | None:
    """The position of a post's parent in the file: one of the thread's earlier posts, or for
    some, a later top-level one (never a reply, so no ring can form)."""
    if not is_reply(position, threads):
        return None
    mixed = _mix(position + 7)
    if mixed % EARLY_EVERY == 0:
        for step in range(1, 50):
            later = position + threads * step
            if later >= comments:
                break
            if not is_reply(later, threads):
                return later
    back = 1 + mixed % min(5, position // threads)
    return position - threads * back


def threads_for(comments: int) -> int:
    return max(10_001, comments // 80)


def _post(position: int, threads: int, comments: int) -> tuple[int, int | None, str, datetime]:
    thread = position % threads
    created = START + timedelta(minutes=position)
    return thread, parent_of(position, threads, comments), BODIES[position % len(BODIES)], created


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def disqus_lines(comments: int, threads: int) -> Iterator[str]:
    yield '<?xml version="1.0" encoding="utf-8"?>\n'
    yield (
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    )
    yield '  <category dsq:id="1"><forum>news</forum><title>General</title></category>\n'
    for t in range(threads):
        yield (
            f'  <thread dsq:id="{1000000 + t}"><id>story-{t}</id><forum>news</forum>'
            f'<category dsq:id="1"/><link>https://news.example/{2015 + t % 10}/story-{t}</link>'
            f"<title>Story {t}</title><message/>"
            f"<createdAt>{_time(START + timedelta(hours=t))}</createdAt>"
            "<author><name>Newsroom</name><isAnonymous>false</isAnonymous></author>"
            f"<isClosed>{'true' if t % 50 == 0 else 'false'}</isClosed>"
            "<isDeleted>false</isDeleted></thread>\n"
        )
    for p in range(comments):
        thread, parent, body, created = _post(p, threads, comments)
        who = p % 20000
        parent_tag = f'<parent dsq:id="{parent}"/>' if parent is not None else ""
        yield (
            f'  <post dsq:id="{p}"><id/><message><![CDATA[{body}]]></message>'
            f"<createdAt>{_time(created)}</createdAt>"
            f"<isDeleted>{'true' if p % 97 == 0 else 'false'}</isDeleted>"
            f"<isSpam>{'true' if p % 31 == 0 else 'false'}</isSpam>"
            f"<author><email>reader{who}@example.org</email>"
            f"<name>{escape(f'Reader {who}')}</name><isAnonymous>false</isAnonymous>"
            f"<username>reader{who}</username></author>"
            f'<thread dsq:id="{1000000 + thread}"/>{parent_tag}</post>\n'
        )
    yield "</disqus>\n"


def jsonl_lines(comments: int, threads: int) -> Iterator[str]:
    for t in range(threads):
        yield json.dumps({
            "type": "article", "id": str(1000000 + t), "key": f"/{2015 + t % 10}/story-{t}",
            "url": f"https://news.example/{2015 + t % 10}/story-{t}", "title": f"Story {t}",
            "closed": t % 50 == 0, "created_at": (START + timedelta(hours=t)).isoformat(),
        }) + "\n"  # fmt: skip
    for p in range(comments):
        thread, parent, body, created = _post(p, threads, comments)
        status = "deleted" if p % 97 == 0 else "spam" if p % 31 == 0 else "approved"
        yield json.dumps({
            "type": "comment", "id": str(p), "article": str(1000000 + thread),
            "parent": str(parent) if parent is not None else None,
            "author_name": f"Reader {p % 20000}", "author_email": f"reader{p % 20000}@example.org",
            "html": body, "status": status, "created_at": created.isoformat(),
        }) + "\n"  # fmt: skip


def generate(path: Path, fmt: str, comments: int, threads: int) -> None:
    lines = disqus_lines if fmt == "disqus" else jsonl_lines
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        for line in lines(comments, threads):
            out.write(line)


def moderation(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [PYTHON, "-m", "moderation.cli", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"moderation {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=None, help="default: over 10,000")
    parser.add_argument("--format", choices=("disqus", "jsonl"), default="disqus")
    parser.add_argument("--keep", type=Path, help="Keep the generated file here.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "IMPORT.md")
    options = parser.parse_args()
    threads = options.threads or threads_for(options.comments)

    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        work = Path(tmp)
        export = options.keep or work / f"export.{'xml' if options.format == 'disqus' else 'jsonl'}"
        started = time.perf_counter()
        generate(export, options.format, options.comments, threads)
        generated = time.perf_counter() - started
        size_mb = export.stat().st_size / 1e6
        print(f"generated {options.comments} comments, {threads} threads: {size_mb:.0f} MB "
              f"in {generated:.0f} s")  # fmt: skip

        env = {
            **os.environ,
            "MODERATION_INSTANCE_PATH": str(work / "instance"),
            "MODERATION_DATABASE_URL": "",
            "MODERATION_SECRET_KEY": "",
        }
        env.pop("MODERATION_CONFIG", None)
        moderation("init", env=env)
        moderation("site", "create", "news", "--origin", "https://news.example", env=env)
        started = time.perf_counter()
        summary = moderation(
            "import", "--site", "news", "--format", options.format, str(export), env=env
        ).strip()
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        database_mb = (work / "instance" / "moderation.sqlite3").stat().st_size / 1e6

    rate = options.comments / seconds
    print(summary)
    print(f"{rate:.0f} comments/s, {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
    command = (
        "`.venv/bin/python -m bench.import_disqus"
        + (f" --comments {options.comments}" if options.comments != 1_000_000 else "")
        + (" --format jsonl" if options.format == "jsonl" else "")
        + "`"
    )
    options.out.write_text(
        "# Importing a large export\n\n"
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {machine()}; load average at the end "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.\n\n"
        f"Command: {command}\n\n"
        f"A generated {options.format} export of {options.comments:,} comments over "
        f"{threads:,} threads ({size_mb:.0f} MB; one post in {REPLY_EVERY} a reply, one reply "
        f"in {EARLY_EVERY} before its parent), imported by `moderation import` into a fresh "
        "SQLite database, in one transaction.\n\n"
        "| comments | threads | file MB | import s | comments/s | peak RSS MB | database MB |\n"
        "|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {options.comments} | {threads} | {size_mb:.0f} | {seconds:.1f} | {rate:.0f} | "
        f"{peak_mb:.0f} | {database_mb:.0f} |\n\n"
        f"The command's summary: {summary}\n"
    )
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
