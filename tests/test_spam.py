"""The learned spam and abuse scores: silent until taught, then they separate what moderators
separated, and they only ever hold."""

from __future__ import annotations

from dataclasses import replace

import pytest

from moderation.models import ModerationMode, Status
from moderation.rules import Candidate, RuleSettings, screen
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
    model.learn(_features("buy pills https://cheap-meds.xyz"), "spam")
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


def _candidate(**scores) -> Candidate:
    return Candidate(ModerationMode.POST, "text", "<p>text</p>", 0, **scores)


@pytest.mark.parametrize("kind", ["spam", "abuse"])
def test_a_learned_score_holds_with_what_it_saw_and_never_decides(kind):
    settings = RuleSettings(hold_first_comments=0)
    sure = _candidate(**{f"{kind}_score": 0.97, f"{kind}_decisions": 50})
    outcome = screen(sure, settings)
    assert outcome.status is Status.PENDING and outcome.held_because == [f"{kind}_score"]
    assert outcome.findings[0].explanation == f"{kind} score 0.97"
    unsure = _candidate(**{f"{kind}_score": 0.89, f"{kind}_decisions": 500})
    assert screen(unsure, settings).status is Status.PUBLISHED


@pytest.mark.parametrize("kind", ["spam", "abuse"])
def test_a_learned_score_waits_for_enough_decisions(kind):
    settings = RuleSettings(hold_first_comments=0)
    young = _candidate(**{f"{kind}_score": 1.0, f"{kind}_decisions": 49})
    assert screen(young, settings).status is Status.PUBLISHED
    fewer = RuleSettings(hold_first_comments=0, score_min_decisions=10)
    assert screen(young, fewer).held_because == [f"{kind}_score"]
    assert screen(young, replace(fewer, **{f"{kind}_threshold": 0.0})).held_because == []


def test_each_score_learns_only_from_its_own_label():
    model = MemoryModel()
    for i in range(10):
        model.learn(_features(f"cheap pills offer {i} https://cheap-meds.xyz", False), "spam")
        model.learn(_features(f"the council budget debate point {i}"), "ham")
    assert model.score(_features("cheap pills"), "abuse") is None  # spam taught it nothing
    for i in range(10):
        model.learn(_features(f"shut up you moron number {i}"), "abuse")
    assert model.totals.spam == 10 and model.totals.abuse == 10 and model.totals.ham == 10
    abusive = model.score(_features("shut up you moron"), "abuse")
    assert abusive is not None and abusive > 0.9
    spam_of_abusive = model.score(_features("shut up you moron"), "spam")
    assert spam_of_abusive is not None and spam_of_abusive < 0.5
