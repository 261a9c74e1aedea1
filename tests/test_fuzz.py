"""Whatever a client sends, the answer is a deliberate one: never a 500, always the error shape."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Any code point, lone surrogates included: JSON can carry them and clients do send them.
any_text = st.text(st.characters(codec=None, categories=None), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
fields = st.fixed_dictionaries(
    {},
    optional={
        "body": json_values | st.text(max_size=300),
        "author_name": json_values | st.text(max_size=120),
        "author_email": json_values | st.emails(),
        "parent_id": json_values,
        "article_url": json_values | st.just("https://news.example/a"),
        "article_title": json_values,
    },
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ALLOWED = {201, 400, 403, 404, 409, 413, 415}


def _check(response) -> None:
    assert response.status_code in ALLOWED, (response.status_code, response.get_data(as_text=True))
    if response.status_code >= 400:
        error = response.get_json()["error"]
        assert error["code"] and error["message"]


@FUZZ
@given(payload=fields)
def test_any_json_submission_gets_a_deliberate_answer(client, site, payload):
    _check(client.post("/api/v1/sites/news/articles/fuzz/comments", json=payload))


@FUZZ
@given(key=st.text(min_size=1, max_size=600), body=st.text(min_size=1, max_size=50))
def test_any_article_key_gets_a_deliberate_answer(client, site, key, body):
    url = f"/api/v1/sites/news/articles/{quote(key, safe='')}/comments"
    _check(client.post(url, json={"body": body, "author_name": "Fuzz"}))
    read = client.get(url)
    assert read.status_code in {200, 400, 404}, read.get_data(as_text=True)
