"""One mail delivery: what the mail says (read while the delivery is leased) and its sending.

Every mail but the confirmation carries a signed one-click unsubscribe link for exactly what it
is about; links point at the service's ``public_url``, without which no mail can be sent.
"""

from __future__ import annotations

from typing import Any

from jinja2 import TemplateError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..comments.statements import APPEAL_WINDOW
from ..config import Settings
from ..models import Comment, Event, MailSubscription, Moderator, Site, Statement
from . import messages, smtp, subscriptions
from .jobs import Job, Outcome
from .subscriptions import Link

#: The list a mail kind belongs to, for its unsubscribe link.
LIST_OF = {
    "reply": "replies",
    "approved": "decisions",
    "decision": "decisions",
    "appeal_outcome": "decisions",
    "report": "reports",
    "queue": "queue",
    "digest": "digest",
}


class NotSendable(Exception):
    """A mail that cannot be written now (no public address configured, say)."""


def context_for(
    session: Session,
    kind: str,
    recipient: str,
    event: Event,
    site: Site,
    settings: Settings,
    secret: str,
) -> dict[str, Any]:
    """Everything the mail ``kind`` to ``recipient`` needs (its template's values and its
    headers), read in the lease's transaction."""
    if not settings.public_url:
        raise NotSendable("public_url is not configured: a mail's links need the address")
    base = settings.public_url.rstrip("/")
    data = event.data
    context: dict[str, Any] = {"site_name": site.name}
    lang = "en"
    moderator_id = None
    if kind in ("confirm", "reply", "approved", "decision", "appeal_outcome"):
        subscription = session.scalar(
            select(MailSubscription).where(
                MailSubscription.site_id == site.id, MailSubscription.email == recipient
            )
        )
        lang = subscription.lang if subscription else data.get("lang", "en")
    if kind == "confirm":
        article = data.get("article") or {}
        token = subscriptions.sign(
            secret, Link("confirm", site_id=site.id, email=recipient, lists=tuple(data["lists"]))
        )
        context.update(
            confirm_url=f"{base}/mail/confirm?token={token}",
            article_title=article.get("title"),
            article_url=article.get("url"),
        )
    elif kind in ("reply", "approved", "decision"):
        comment = data["comment"]
        article = comment["article"]
        own = comment
        if kind == "reply":
            parent = session.get(Comment, comment["parent_id"])
            if parent is None:
                raise NotSendable("the comment answered is gone")
            own = {"author_name": parent.author_name, "text": parent.body_text}
            context.update(reply_author=comment["author_name"], reply_text=comment["text"])
        context.update(
            reader_name=own["author_name"],
            comment_text=own["text"],
            article_title=article.get("title"),
            article_url=article.get("url"),
        )
        if kind in ("reply", "approved"):
            context["comment_url"] = article.get("url")
        if kind == "decision":
            decision = data["decision"]
            context.update(
                action=decision["action"],
                reason=decision.get("reason"),
                explanation=decision.get("explanation"),
                review_url=article.get("url"),
            )
            context.update(_statement_context(session, comment["id"]))
    elif kind == "appeal_outcome":
        comment = data["comment"]
        context.update(
            reader_name=comment["author_name"],
            comment_text=comment["text"],
            outcome=data["outcome"],
            explanation=data.get("explanation"),
            article_title=comment["article"].get("title"),
            article_url=comment["article"].get("url"),
        )
    elif kind in ("notice_receipt", "notice_decision"):
        comment = data["comment"]
        lang = data.get("lang") or "en"
        context.update(
            receipt=data["receipt"],
            comment_text=comment["text"],
            article_title=comment["article"].get("title"),
            article_url=comment["article"].get("url"),
        )
        if kind == "notice_receipt":
            context["law"] = data.get("law") or ""
        else:
            context.update(assessment=data["assessment"], legal_ground=data.get("legal_ground"))
    elif kind == "report":
        comment = data["comment"]
        context.update(
            comment_text=comment["text"],
            comment_author=comment["author_name"],
            reason=data["flag"]["reason"],
            note=data["flag"].get("note"),
            article_title=comment["article"].get("title"),
            card_url=f"{base}/dashboard/comments/{comment['id']}",
        )
    elif kind in ("queue", "digest"):
        moderator_id = data["moderator_id"]
        context.update(data["context"])
    else:
        raise NotSendable(f"unknown mail {kind!r}")
    if moderator_id is None and kind == "report":
        moderator_id = session.scalar(select(Moderator.id).where(Moderator.email == recipient))
    unsubscribe = None
    if kind in LIST_OF:
        if kind in ("reply", "approved", "decision", "appeal_outcome"):
            link = Link("unsubscribe", site_id=site.id, email=recipient, lists=(LIST_OF[kind],))
        else:
            link = Link("unsubscribe", moderator_id=moderator_id, lists=(LIST_OF[kind],))
        unsubscribe = f"{base}/mail/unsubscribe?token={subscriptions.sign(secret, link)}"
    return {"lang": lang, "context": context, "unsubscribe_url": unsubscribe}


def _statement_context(session: Session, comment_id: int) -> dict[str, Any]:
    """The statement of reasons of a rejection, for its mail (DSA Art. 17)."""
    statement = session.scalar(
        select(Statement)
        .where(Statement.comment_id == comment_id)
        .order_by(Statement.id.desc())
        .limit(1)
    )
    if statement is None:
        return {}
    return {
        "facts": statement.facts,
        "ground": statement.ground,
        "ground_kind": statement.ground_kind,
        "automated": statement.automated,
        "appeal_until": (statement.created_at + APPEAL_WINDOW).date().isoformat(),
    }


def send(job: Job, settings: Settings) -> Outcome:
    """Write and send the mail; a refusal of the address itself is not tried again."""
    prepared = job.data
    if not settings.mail_from:
        return Outcome(ok=False, error="mail_from is not configured")
    try:
        message = messages.render(
            job.mail or "",
            lang=prepared["lang"],
            to=job.recipient or "",
            sender=settings.mail_from,
            context=prepared["context"],
            unsubscribe_url=prepared["unsubscribe_url"],
        )
        smtp.send(settings, message)
    except smtp.MailError as exc:
        return Outcome(ok=False, error=str(exc), permanent=exc.permanent)
    except (ValueError, KeyError, TemplateError) as exc:
        # The mail cannot be written (a bad link, a missing value): trying again cannot help.
        return Outcome(ok=False, error=f"the mail cannot be written: {exc}"[:500], permanent=True)
    return Outcome(ok=True)
