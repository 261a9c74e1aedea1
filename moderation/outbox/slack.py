"""Posting an event to a Slack incoming webhook, as Slack's message format: a line for the
notification, blocks for the channel, and a button to the comment's card in the dashboard."""

from __future__ import annotations

import json
from typing import Any

from ..config import Settings
from .jobs import Job, Outcome
from .webhooks import USER_AGENT, post

EXCERPT = 300
_TITLES = {
    "pending": "New comment waiting for a moderator",
    "reported": "A reader reported a comment",
    "staff": "A staff member commented",
}


def escape(text: str) -> str:
    """Text as Slack shows it literally: its three control characters escaped, so a comment
    cannot mention @channel, link elsewhere or format itself."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(job: Job, public_url: str) -> dict[str, Any]:
    """The Slack message for an event (``comment.created`` or ``flag.created``)."""
    comment = job.data["comment"]
    article = comment["article"]
    if job.event_type == "flag.created":
        title = _TITLES["reported"]
    else:
        title = _TITLES["staff" if comment.get("staff") else "pending"]
    text = comment.get("text") or ""
    excerpt = text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"
    where = article.get("title") or article.get("key") or ""
    lines = [
        f"*{escape(title)}* on {escape(job.site_name)}",
        f"*{escape(comment['author_name'])}* on “{escape(where)}”:",
        "> " + escape(excerpt).replace("\n", "\n> "),
    ]
    if job.event_type == "flag.created":
        flag = job.data["flag"]
        reported = f"Reason: {escape(flag['reason'])}"
        if flag.get("note"):
            reported += f" — “{escape(flag['note'])}”"
        lines.append(reported)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}
    ]
    card = card_url(public_url, comment["id"])
    if card:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in the dashboard"},
                        "url": card,
                    }
                ],
            }
        )
    return {"text": f"{title}: {comment['author_name']}", "blocks": blocks}


def card_url(public_url: str, comment_id: int) -> str | None:
    """The comment's card in the dashboard, when the service knows its own address."""
    return f"{public_url.rstrip('/')}/dashboard/comments/{comment_id}" if public_url else None


def send(job: Job, settings: Settings) -> Outcome:
    """One try of a Slack post."""
    assert job.url is not None
    body = json.dumps(message(job, settings.public_url), ensure_ascii=False).encode()
    headers = {"content-type": "application/json", "user-agent": USER_AGENT}
    return post(job.url, body, headers, settings)
