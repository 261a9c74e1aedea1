"""The learned spam score: silent until taught, then it separates what moderators separated."""

from __future__ import annotations

from moderation.sanitize import sanitize_comment
from moderation.spam import MemoryModel, features, link_domains


def _features(text: str, email: bool = True) -> set[str]:
    return features(
        text, sanitize_comment(text), has_email=email, approved_before=1, rejected_before=0
    )


def test_link_domains_are_read_from_sanitized_html():
    html = sanitize_comment("see https://www.cheap-meds.xyz/x and <a href='http://a.example'>a</a>")
    assert link_domains(html) == ["cheap-meds.xyz", "a.example"]


def test_no_score_until_enough_decisions():
    model = MemoryModel()
    model.learn(_features("buy pills https://cheap-meds.xyz"), is_spam=True)
    assert model.score(_features("buy pills")) is None


def test_learns_from_decisions():
    model = MemoryModel()
    for i in range(10):
        model.learn(_features(f"cheap pills offer {i} https://cheap-meds.xyz", False), True)
        model.learn(_features(f"the council budget debate point {i}"), False)
    spammy = model.score(_features("cheap pills here https://cheap-meds.xyz/buy", False))
    hammy = model.score(_features("I agree about the council budget"))
    assert spammy is not None and spammy > 0.9
    assert hammy is not None and hammy < 0.1
