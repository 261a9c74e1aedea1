"""The starter word list: a few dozen insults and spam phrases, held for a moderator."""

from __future__ import annotations

import pytest

from moderation.rules import RuleSettings, compiled
from moderation.starter_words import (
    STARTER_INSULTS,
    STARTER_SPAM,
    starter_rule_overrides,
    starter_words,
)


@pytest.fixture
def starter() -> RuleSettings:
    return RuleSettings.from_mappings(starter_rule_overrides())


def test_the_starter_list_holds_and_never_rejects(starter):
    assert starter.blocked_words == ()
    assert set(starter.suspect_words) == set(starter_words())
    assert set(starter_rule_overrides()) == {"suspect_words"}


def test_spam_phrases_and_insults_are_matched(starter):
    wordlist = compiled(starter.suspect_words)
    assert wordlist.find("Buy cheap viagra now, casino bonus") == ["cheap viagra", "casino bonus"]
    assert wordlist.find("you idiot") == ["idiot"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Quel crétin !", "crétin"),
        ("Wat een klootzak", "klootzak"),
        ("So ein Arschloch", "Arschloch"),
        ("ihr Vollidioten", "Vollidiot"),
        ("you m0r0n", "moron"),
    ],
)
def test_each_language_is_covered(starter, text, found):
    assert compiled(starter.suspect_words).find(text) == [found]


def test_four_languages_and_a_few_dozen_entries():
    assert set(STARTER_INSULTS) == {"en", "fr", "nl", "de"}
    assert 30 <= len(starter_words()) <= 80
    assert len(starter_words()) == len({*starter_words()})
    assert all(" " in phrase for phrase in STARTER_SPAM)


@pytest.mark.parametrize(
    "text",
    [
        "A thoughtful comment on the summit agenda.",
        "Un commentaire réfléchi, en retard comme toujours.",
        "Een doordachte reactie over de begroting.",
        "Ein durchdachter Kommentar zum Haushalt.",
        "The casino reopened; bonus payments to staff were cut.",
    ],
)
def test_ordinary_comments_are_not_matched(starter, text):
    assert compiled(starter.suspect_words).find(text) == []
