"""An import's bodies sanitized in a pool of processes are exactly those sanitized in place."""

from __future__ import annotations

from moderation.importers import cleaning
from moderation.sanitize import sanitize_comment

BODIES = [
    "Plain words.",
    "<p>A <b>bold</b> claim, see https://example.com/a?b=1&c=2.</p>",
    '<script>alert(1)</script><img src=x onerror="alert(1)"><a href="javascript:x">x</a>',
    "Line one\nline two\n\nA new paragraph with <blockquote>a quote</blockquote>",
    "<table><tr><td>not allowed</td></tr></table> &amp; &lt;escaped&gt; \u202e",
]


def test_the_pool_and_the_plain_path_agree_and_keep_the_order():
    bodies = [f"{body} #{n}" for n in range(cleaning.PARALLEL_FROM) for body in BODIES[n % 5 :][:1]]
    with cleaning.Cleaner(2) as clean:
        pooled = clean(bodies)
        assert clean._pool is not None  # the batch did go to the pool
    assert pooled == [sanitize_comment(body) for body in bodies]


def test_a_small_batch_is_cleaned_in_place():
    with cleaning.Cleaner(2) as clean:
        assert clean(BODIES) == [sanitize_comment(body) for body in BODIES]
        assert clean._pool is None
