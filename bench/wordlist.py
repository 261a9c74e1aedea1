"""Word-list matching, before and after folding: a 1,000-word comment, a 1,000-entry list.

    .venv/bin/python -m bench.wordlist

Not a test: figures for the closing note. "before" is ``moderation/wordlist.py`` as last
committed (read with ``git show``), "after" the working copy. Three comments: plain ASCII words,
ASCII with digits for letters, and a mix of scripts (Cyrillic look-alikes, accents).
"""

from __future__ import annotations

import random
import statistics
import string
import subprocess
import sys
import time
import types
from pathlib import Path

from moderation import wordlist as after

ROOT = Path(__file__).resolve().parent.parent


def _committed() -> types.ModuleType | None:
    try:
        source = subprocess.run(
            ["git", "show", "HEAD:moderation/wordlist.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("wordlist_before")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, "wordlist_before.py", "exec"), module.__dict__)
    return module


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))


def _median_ms(find, text: str, rounds: int = 200) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        find(text)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    rng = random.Random(5)
    entries = [" ".join(_word(rng) for _ in range(rng.choice((1, 1, 2, 3)))) for _ in range(1000)]
    plain = [_word(rng) for _ in range(980)] + rng.sample(entries, 20)
    rng.shuffle(plain)
    leet = [
        w.replace("o", "0").replace("e", "3") if i % 10 == 0 else w for i, w in enumerate(plain)
    ]
    mixed = [
        w.replace("a", "\u0430").replace("i", "\u0456") if i % 5 == 0 else w
        for i, w in enumerate(plain)
    ]
    mixed = [w + "é" if i % 7 == 0 else w for i, w in enumerate(mixed)]
    comments = {"ascii": plain, "ascii, 1 word in 10 leet": leet, "mixed scripts": mixed}

    versions = {"after": after}
    before = _committed()
    if before is not None:
        versions = {"before": before, **versions}
    print(f"{len(entries)} entries, comments of {len(plain)} words; median of 200 runs")
    for label, module in versions.items():
        started = time.perf_counter()
        wordlist = module.WordList(entries)
        compile_ms = (time.perf_counter() - started) * 1000
        print(f"{label}: compile {compile_ms:.1f} ms")
        for name, comment in comments.items():
            text = " ".join(comment)
            found = len(wordlist.find(text))
            print(f"  {name:26} {_median_ms(wordlist.find, text):6.2f} ms  ({found} found)")


if __name__ == "__main__":
    main()
