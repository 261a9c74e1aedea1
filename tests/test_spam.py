"""The learned spam score: silent until taught, then it separates what moderators separated."""

from __future__ import annotations

import pytest

from moderation.sanitize import sanitize_comment
from moderation.spam import MemoryModel, features, link_domains, written_domains
from tests.test_links import ADVERSARIAL, adversarial_text, assert_linear


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


def test_written_domains_are_the_addresses_the_sanitizer_would_link():
    text = "Try cheap-meds.XYZ, www.pills.shop/now or (https://u:p@a.co.uk:8080/x); mail me@b.com"
    assert written_domains(text) == ["cheap-meds.xyz", "pills.shop", "a.co.uk"]
    assert {"d:cheap-meds.xyz", "d:pills.shop", "d:a.co.uk"} <= _features(text)


@pytest.mark.parametrize("unit", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_features_cost_linear_time(unit):
    texts = [adversarial_text(unit, length) for length in (1250, 5000)]
    html = {text: sanitize_comment(text) for text in texts}

    def spam_features(text: str) -> set[str]:
        return features(text, html[text], has_email=True, approved_before=1, rejected_before=0)

    assert_linear(spam_features, unit)
