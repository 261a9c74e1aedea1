"""Slack: the site's waiting queue, readers' reports and staff comments posted to an incoming
webhook as Slack's message format, with a button to the comment's card; what readers wrote is
shown literally (no mentions, links or formatting of theirs)."""

from __future__ import annotations

from moderation.comments.reports import report
from moderation.models import Reason
from moderation.outbox.slack import escape


def test_a_comment_waiting_is_posted_with_a_link_to_its_card(slack, new_comment, deliver):
    channel = slack()
    comment = new_comment(body="Hello <!channel> & <https://spam.example|click>")
    deliver()
    [message] = channel.bodies
    assert message["text"].startswith("New comment waiting for a moderator")
    section = message["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; &amp; &lt;https://spam.example|click&gt;" in section
    assert "<!channel>" not in section
    button = message["blocks"][1]["elements"][0]
    assert button["url"] == f"https://comments.news.example/dashboard/comments/{comment.id}"


def test_a_channel_gets_only_its_topics(slack, new_comment, approve, policy, session, deliver):
    reports_only = slack(topics=("reported",))
    comment = new_comment()
    approve(comment)
    report(session, comment.id, Reason.SPAM, "ads", "reporter", policy)
    deliver()
    [message] = reports_only.bodies
    assert message["text"].startswith("A reader reported a comment")
    assert "Reason: spam" in message["blocks"][0]["text"]["text"]


def test_escape_leaves_nothing_for_slack_to_interpret():
    assert escape("<@U123> & <#C1>") == "&lt;@U123&gt; &amp; &lt;#C1&gt;"
