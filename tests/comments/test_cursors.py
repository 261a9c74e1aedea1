"""Cursors: the positions the document describes, read back exactly, past the end harmless."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moderation.comments.cursors import (
    CURSOR,
    UNSCORED,
    decode_cursor,
    decode_score_cursor,
    encode_cursor,
    encode_score_cursor,
)
from moderation.errors import ValidationError
from moderation.models import MAX_ID

ids = st.integers(min_value=1, max_value=MAX_ID)


@given(ids)
def test_an_id_cursor_reads_back(last_id):
    cursor = encode_cursor(last_id)
    assert re.match(CURSOR, cursor) and decode_cursor(cursor) == last_id


@given(st.one_of(st.none(), st.floats(min_value=0, max_value=1)), ids)
def test_a_score_cursor_reads_back_exactly(score, last_id):
    cursor = encode_score_cursor(score, last_id)
    assert re.match(CURSOR, cursor)
    assert decode_score_cursor(cursor) == (UNSCORED if score is None else score, last_id)


@given(st.from_regex(CURSOR))
def test_every_string_the_document_calls_a_cursor_is_one(cursor):
    decode_cursor(cursor)
    decode_score_cursor(cursor)


def test_past_the_largest_id_is_past_the_end():
    assert decode_cursor("9999999999") == MAX_ID


@pytest.mark.parametrize("cursor", ["YzE6MTI=", "1.5", "~3", "12~", "1e999~3~4", "-"])
def test_anything_else_is_refused(cursor):
    with pytest.raises(ValidationError):
        decode_score_cursor(cursor)
