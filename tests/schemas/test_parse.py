"""Reading input into the contract's shapes: every refusal names its field and says why in words,
and what the document calls valid is what the parsers accept."""

from __future__ import annotations

import json

import pytest

from moderation.errors import ValidationError
from moderation.schemas import requests
from moderation.schemas.parse import MAX_DEPTH, parse_json, parse_values

SUBMIT = requests.SubmitComment


def _refusal(shape, raw):
    with pytest.raises(ValidationError) as refused:
        parse_json(shape, raw if isinstance(raw, str) else json.dumps(raw))
    return refused.value.field, refused.value.message


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ({"author_name": "Ann"}, "body", "Please fill in the comment."),
        ({"body": "   ", "author_name": "Ann"}, "body", "Please fill in the comment."),
        ({"body": "hi", "author_name": "A" * 101}, "author_name", "at most 100 characters"),
        ({"body": "hi", "author_name": "Ann\nBob"}, "author_name", "must fit on one line"),
        ({"body": "hi", "author_name": "Ann", "parent_id": "1"}, "parent_id", "whole number"),
        ({"body": "hi", "author_name": "Ann", "parent_id": 2**31}, "parent_id", "at most"),
        ({"body": "hi", "author_name": "Ann", "author_email": "nope"}, "author_email", "email"),
        ({"body": "hi", "author_name": "Ann", "colour": "red"}, "colour", "not a field"),
        ("[1, 2]", "body", "JSON object"),
        ("{broken", "body", "not valid JSON"),
        ('{"body": NaN, "author_name": "Ann"}', "body", "not valid JSON"),
        ('{"body": "hi", "author_name": "\\udfff"}', "author_name", "not text"),
        ("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2), "body", "nested too deeply"),
        ("[" * 5000 + "]" * 5000, "body", "nested too deeply"),
    ],
)  # fmt: skip
def test_a_refusal_names_the_field_and_says_why(raw, field, words):
    found_field, message = _refusal(SUBMIT, raw)
    assert found_field == field and words in message, message


def test_a_decision_takes_only_the_fields_of_its_action():
    assert _refusal(requests.Decision, {"action": "approve", "reason": "abuse"}) == (
        "reason", "Only a rejection or a spam verdict takes a reason.",
    )  # fmt: skip
    assert _refusal(requests.Decision, {})[0] == "action"
    assert (
        "approve, feature, reject, restore, spam, unfeature"
        in _refusal(requests.Decision, {"action": "x"})[1]
    )
    decided = parse_json(requests.Decision, '{"action": "reject", "reason": "abuse"}')
    assert (decided.action, decided.reason) == ("reject", "abuse")


def test_whole_numbers_may_be_written_as_json_writes_them():
    parsed = parse_json(SUBMIT, '{"body": "hi", "author_name": "Ann", "parent_id": 12.0}')
    assert parsed.parent_id == 12 and isinstance(parsed.parent_id, int)


def test_text_is_normalised_after_its_limits_are_checked():
    parsed = parse_json(SUBMIT, json.dumps({"body": " a\r\nb\x00 ", "author_name": " Ann "}))
    assert (parsed.body, parsed.author_name) == ("a\nb", "Ann")


def test_queries_read_numbers_from_digits_only():
    assert parse_values(requests.ThreadQuery, {"limit": "20"}).limit == 20
    for raw in (" 20", "+20", "2_0", "20.0", "1e1"):
        with pytest.raises(ValidationError):
            parse_values(requests.ThreadQuery, {"limit": raw})
