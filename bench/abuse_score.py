"""Precision and recall of the abuse score's hold on a held-out part of the generated set in four
languages (``bench.abuse_set``).

    .venv/bin/python -m bench.abuse_score [--size 4000] [--seed 11] [--threshold 0.9]

One site learns every language at once (a site's readers write in its own languages), from 70%
of the set; the other 30% is scored, and a comment is held when its abuse score is at or above
the threshold (``RuleSettings.abuse_threshold``, 0.9 by default). Precision: the share of held
comments that are abusive by their (noisy) label; recall: the share of abusive comments held.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

from moderation.rules import RuleSettings
from moderation.sanitize import sanitize_comment
from moderation.spam import MemoryModel, features

from .abuse_set import LANGUAGES, Example, generate


def _features(example: Example) -> set[str]:
    return features(
        example.text,
        sanitize_comment(example.text),
        has_email=example.has_email,
        approved_before=0 if example.first_comment else 3,
        rejected_before=0,
    )


def _figures(pairs: list[tuple[bool, bool]]) -> tuple[float, float, int, int]:
    """Precision, recall, how many held, how many abusive, of (held, is_abuse) pairs."""
    held = sum(h for h, _ in pairs)
    abusive = sum(a for _, a in pairs)
    caught = sum(h and a for h, a in pairs)
    return (caught / held if held else 1.0, caught / abusive if abusive else 1.0, held, abusive)


def evaluate(size: int, seed: int, threshold: float) -> dict[str, tuple[float, float, int, int]]:
    """The figures per language and overall ("all")."""
    examples = generate(size, seed)
    cut = int(len(examples) * 0.7)
    model = MemoryModel()
    for example in examples[:cut]:
        model.learn(_features(example), "abuse" if example.is_abuse else "ham")
    by_language: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for example in examples[cut:]:
        score = model.score(_features(example), "abuse")
        held = score is not None and score >= threshold
        by_language[example.language].append((held, example.is_abuse))
        by_language["all"].append((held, example.is_abuse))
    return {language: _figures(by_language[language]) for language in (*LANGUAGES, "all")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threshold", type=float, default=RuleSettings().abuse_threshold)
    args = parser.parse_args()
    print(f"{args.size} comments, seed {args.seed}, hold at abuse score >= {args.threshold}")
    print(f"{'':>4} {'precision':>10} {'recall':>8} {'held':>6} {'abusive':>8}")
    for language, (precision, recall, held, abusive) in evaluate(
        args.size, args.seed, args.threshold
    ).items():
        print(f"{language:>4} {precision:>10.3f} {recall:>8.3f} {held:>6} {abusive:>8}")


if __name__ == "__main__":
    main()
