"""What a card says once a comment is decided, the log's layout, and how a refusal reads."""

from __future__ import annotations

import re

from .conftest import held

STORY = "/2026/11/story"
ME = "mod@newsroom.example"


def card_of(html: str, cid: int) -> str:
    """The markup of one card, from its opening tag to its end."""
    start = html.index(f'<article class="card" id="comment-{cid}"')
    return html[start : html.index("</article>", start)]


def test_a_pending_card_says_why_it_was_held(moderator, post):
    [cid] = held(post, 1)
    card = card_of(moderator.page("/dashboard/queue").get_data(as_text=True), cid)
    assert "Held because:" in card and "pre-moderation" in card
    assert 'class="decided"' not in card


def test_decided_cards_show_the_decision_not_why_they_were_held(moderator, post):
    approved, spam = held(post, 2)
    moderator.decide([approved], "approve")
    moderator.decide([spam], "spam")
    pages = {
        approved: ["/dashboard/queue?view=approved", "/dashboard/search?q=Held+comment"],
        spam: ["/dashboard/queue?view=spam", f"/dashboard/comments/{spam}"],
    }
    for cid, paths in pages.items():
        for path in paths:
            card = card_of(moderator.page(path).get_data(as_text=True), cid)
            assert "Held because" not in card and "pre-moderation" not in card, path
            assert f'by <span class="decided-by">{ME}</span>' in card, path
    approved_card = card_of(
        moderator.page("/dashboard/queue?view=approved").get_data(as_text=True), approved
    )
    assert "<strong>Approved</strong>" in approved_card
    spam_card = card_of(moderator.page("/dashboard/queue?view=spam").get_data(as_text=True), spam)
    assert "<strong>Marked as spam</strong>" in spam_card
    assert "Spam or advertising" in spam_card  # the default reason of a spam verdict


def test_a_rejected_card_shows_the_latest_reason_and_explanation(moderator, post):
    [cid] = held(post, 1)
    moderator.decide([cid], "reject", reason="off_topic", explanation="About another story.")
    moderator.decide([cid], "restore")
    moderator.decide([cid], "reject", reason="abuse", explanation="Keep it <civil>.")
    card = card_of(moderator.page("/dashboard/queue?view=rejected").get_data(as_text=True), cid)
    decided = card[card.index('class="decided"') :]
    decided = decided[: decided.index("</p>")]
    assert "<strong>Rejected</strong>" in decided and ME in decided
    assert "Abusive or hateful" in decided
    assert "Keep it &lt;civil&gt;." in decided  # escaped, like every moderator's text
    assert "Off topic" not in decided and "About another story." not in decided
    assert re.search(r'<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC</time>', decided)


def test_a_decision_by_an_api_token_names_the_token(moderator, post, decide):
    [cid] = held(post, 1)
    decide(cid, "reject", reason="spam")
    card = card_of(moderator.page("/dashboard/queue?view=rejected").get_data(as_text=True), cid)
    assert "API token" in card and "Spam or advertising" in card
    assert "pre-moderation" not in card


def test_a_restored_card_waits_again_and_says_why_it_was_held(moderator, post):
    [cid] = held(post, 1)
    moderator.decide([cid], "spam")
    moderator.decide([cid], "restore")
    card = card_of(moderator.page("/dashboard/queue").get_data(as_text=True), cid)
    assert "pre-moderation" in card and 'class="decided"' not in card


# --- The log ----------------------------------------------------------------------------------


def _log_body(html: str) -> str:
    return html[html.index('<table class="data log"') : html.index("</table>")]


def test_the_log_names_each_article_once_per_run_of_its_rows(moderator, post):
    tram = held(post, 2, "/a/one", article_title="The tram")
    bridge = held(post, 1, "/a/two", article_title="The bridge")
    moderator.decide(tram, "approve")
    moderator.decide(bridge, "approve")
    table = _log_body(moderator.page("/dashboard/log").get_data(as_text=True))
    # Newest first: the bridge's approval, the tram's two, the bridge's hold, the tram's two.
    runs = re.findall(r'<tbody class="log-run".*?</tbody>', table, re.S)
    headings = [re.search(r'class="log-article"><th[^>]*>(.*?)</th>', run, re.S) for run in runs]
    titles = [re.sub(r"<[^>]+>", "", h.group(1)).strip() if h else None for h in headings]
    assert titles == ["On The bridge", "On The tram", "On The bridge", "On The tram"]
    rows = [len(re.findall(r'class="log-entry"', run)) for run in runs]
    assert rows == [1, 2, 1, 2]
    assert table.count("The tram") == 2 and table.count("The bridge") == 2  # once per run


def test_the_log_shows_each_date_on_one_line(moderator, post):
    [cid] = held(post, 1)
    moderator.decide([cid], "approve")
    table = _log_body(moderator.page("/dashboard/log").get_data(as_text=True))
    times = re.findall(r'<time datetime="([^"]+)"[^>]*>([^<]*)</time>', table)
    assert times
    for stamp, text in times:
        assert stamp.startswith("20") and "T" in stamp  # RFC 3339 for machines
        assert len(text) <= 12 and " UTC" not in text and text.count(" ") <= 2, text
    css = moderator.page("/dashboard/static/dashboard.css").get_data(as_text=True)
    rule = css[css.index(".log time") :]
    assert "white-space: nowrap" in rule[: rule.index("}")]


# --- Refusals ---------------------------------------------------------------------------------


def test_approving_twice_says_it_is_already_approved(moderator, post):
    [cid] = held(post, 1)
    moderator.decide([cid], "approve")
    refused = moderator.decide([cid], "approve", expect=409)
    assert refused["error"]["message"] == f"Comment {cid} is already approved."
    # The same words on the form's page, without JavaScript.
    answer = moderator.form("/dashboard/decisions", {"ids": cid, "action": "approve"}, expect=302)
    html = moderator.page(answer.location).get_data(as_text=True)
    assert f"Not saved: Comment {cid} is already approved." in html


def test_an_impossible_transition_says_what_the_comment_is(moderator, post, client):
    [cid] = held(post, 1)
    moderator.decide([cid], "approve")
    refused = moderator.decide([cid], "restore", expect=409)
    assert refused["error"]["message"] == f"Comment {cid} is approved; it cannot be restored."
