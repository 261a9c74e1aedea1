"""The request shapes are the one declaration: of the enums' values, of the rule settings, of a
comment's configured length."""

from __future__ import annotations

import dataclasses
import typing

from moderation.models import FLAG_REASONS, Reason
from moderation.rules import RuleSettings
from moderation.schemas import requests
from moderation.schemas.parse import adapter


def test_the_literals_are_the_models_enums():
    assert set(typing.get_args(requests.FlagReason)) == {r.value for r in FLAG_REASONS}
    assert set(typing.get_args(requests.ReasonCode)) == {r.value for r in Reason}


def test_the_rules_patch_is_made_of_every_rule_setting():
    fields = {f.name for f in dataclasses.fields(RuleSettings)}
    assert set(requests.RulesPatch.model_fields) == fields
    schema = adapter(requests.RulesPatch).json_schema()
    days = schema["properties"]["rejection_window_days"]["anyOf"][0]
    assert (days["minimum"], days["maximum"]) == (0, 3650)


def test_a_comments_length_follows_the_configuration():
    assert requests.submit_comment(5000) is requests.SubmitComment
    longer = requests.submit_comment(20_000)
    assert adapter(longer).json_schema()["properties"]["body"]["maxLength"] == 20_000
    assert set(longer.model_fields) == set(requests.SubmitComment.model_fields)
