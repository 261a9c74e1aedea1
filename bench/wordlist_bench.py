"""Word-list matching speed: a 5,000-entry list against a 5,000-character comment.

    .venv/bin/python -m bench.wordlist_bench

Not a test: a figure for the closing note. Entries are random words and two- and three-word
phrases; the comment is random words with some entries in it. Reported: the time to compile the
list once (it is then cached per process) and the median time to match one comment.
"""

from __future__ import annotations

import random
import statistics
import string
import time

from moderation.wordlist import WordList


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))


def main() -> None:
    rng = random.Random(5)
    entries = [" ".join(_word(rng) for _ in range(rng.choice((1, 1, 2, 3)))) for _ in range(5000)]
    words = [_word(rng) for _ in range(1200)] + rng.sample(entries, 20)
    rng.shuffle(words)
    text = " ".join(words)[:5000]

    started = time.perf_counter()
    wordlist = WordList(entries)
    compile_ms = (time.perf_counter() - started) * 1000

    timings = []
    for _ in range(200):
        started = time.perf_counter()
        found = wordlist.find(text)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"entries: {len(wordlist)}, comment: {len(text)} characters, found: {len(found)}")
    print(f"compile: {compile_ms:.1f} ms (once per list and process)")
    print(f"match: median {statistics.median(timings):.2f} ms, max {max(timings):.2f} ms")


if __name__ == "__main__":
    main()
