"""The outbox delivered: every committed event reaches its endpoints signed (verified by the
``standardwebhooks`` library), none of a rolled-back change, retried with backoff when the
receiver fails, marked failed after the last try, and sent again on request."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from moderation.comments.articles import close_article
from moderation.comments.reports import report
from moderation.comments.submit import NewComment, submit
from moderation.models import (
    Action,
    Article,
    Delivery,
    DeliveryStatus,
    Endpoint,
    Event,
    Reason,
    utcnow,
)
from moderation.outbox import deliveries, endpoints
from moderation.outbox.worker import retry_delay


def later(minutes: float):
    moment = utcnow() + timedelta(minutes=minutes)
    return lambda: moment


def test_a_committed_submission_reaches_the_webhook_signed(hook, new_comment, deliver):
    receiver = hook()
    comment = new_comment(body="Hello <b>there</b>", article_url="https://news.example/a")
    assert deliver() == 2
    assert receiver.types() == ["article.created", "comment.created"]
    created = receiver.in_order()[1].data
    assert created["site"] == "news"
    assert created["comment"]["id"] == comment.id
    assert created["comment"]["html"] == "<p>Hello <b>there</b></p>"
    assert created["comment"]["status"] == "pending"
    assert created["comment"]["article"]["key"] == "/2026/11/story"
    # Nothing private leaves the service.
    assert "author_email" not in created["comment"] and "ip_hash" not in created["comment"]
    assert receiver.refused == []


def test_a_rolled_back_change_sends_nothing(hook, session, policy, deliver):
    receiver = hook()
    submit(
        session,
        site_slug="news",
        article_key="/gone",
        new=NewComment(body="Never happened", author_name="Ann"),
        policy=policy,
    )
    session.rollback()
    assert session.scalar(select(Event.id)) is None
    deliver()
    assert receiver.received == [] and receiver.tries == 0


def test_decisions_edits_reports_and_closing_are_events(
    hook, session, new_comment, approve, policy, deliver
):
    receiver = hook()
    comment = new_comment()
    approve(comment)
    approve(comment, action=Action.FEATURE)
    report(session, comment.id, Reason.ABUSE, "rude <script>", "reporter-1", policy)
    approve(comment, action=Action.REJECT, reason=Reason.ABUSE, explanation="Insults")
    close_article(session, session.get_one(Article, comment.article_id), True)
    deliver()
    assert receiver.types() == [
        "article.created",
        "comment.created",
        "comment.decided",
        "comment.featured",
        "flag.created",
        "comment.decided",
        "article.closed",
    ]
    rejected = receiver.in_order()[5].data
    assert rejected["decision"] == {
        "action": "reject",
        "reason": "abuse",
        "explanation": "Insults",
        "actor": "moderator",  # a person decided; their email stays inside
        "from_status": "approved",
    }
    assert receiver.in_order()[4].data["flag"]["note"] == "rude <script>"


def test_an_endpoint_gets_only_the_events_it_asked_for(hook, new_comment, approve, deliver):
    everything = hook()
    decisions = hook(events=("comment.decided",))
    approve(new_comment())
    deliver()
    assert decisions.types() == ["comment.decided"]
    assert len(everything.received) == 3


def test_a_failing_receiver_is_tried_again_later_with_the_same_id(
    hook, session, new_comment, deliver
):
    receiver = hook(events=("comment.created",), answers=[500, 503])
    new_comment()
    deliver()
    delivery = session.scalars(select(Delivery)).one()
    assert (delivery.status, delivery.attempts, delivery.last_status) == (
        DeliveryStatus.PENDING, 1, 500,
    )  # fmt: skip
    assert delivery.last_response == "<b>nope</b>"
    assert delivery.next_attempt_at > utcnow()
    deliver()  # not due yet
    assert receiver.tries == 1
    deliver(clock=later(60))
    deliver(clock=later(120))
    session.expire_all()
    assert session.get_one(Delivery, delivery.id).status is DeliveryStatus.SENT
    assert receiver.tries == 3 and len(receiver.received) == 1
    [event] = session.scalars(select(Event).where(Event.type == "comment.created"))
    assert receiver.received[0].message_id == event.message_id


def test_backoff_grows_with_jitter_up_to_a_cap():
    low = [retry_delay(n, rng=lambda: 0.0) for n in range(1, 10)]
    high = [retry_delay(n, rng=lambda: 1.0) for n in range(1, 10)]
    assert low[:3] == [5.0, 20.0, 80.0] and high[:3] == [10.0, 40.0, 160.0]
    assert max(high) == 4 * 3600


def test_a_slow_receiver_times_out_and_does_not_block(hook, session, new_comment, deliver):
    hook(events=("comment.created",), delay=5.0)
    new_comment()
    deliver()
    delivery = session.scalars(select(Delivery)).one()
    assert delivery.status is DeliveryStatus.PENDING
    assert "no answer within 2.5 s" in (delivery.last_error or "")


def test_a_redirect_is_not_followed(hook, receivers, session, new_comment, deliver):
    target = receivers()
    hook(events=("comment.created",), redirect=target.url)
    new_comment()
    deliver()
    delivery = session.scalars(select(Delivery)).one()
    assert delivery.last_status == 302 and "never follow" in (delivery.last_error or "")
    assert target.tries == 0


def test_after_the_last_try_it_fails_and_can_be_sent_again(
    app, hook, session, new_comment, deliver
):
    app.config["SETTINGS"].delivery_attempts = 3
    receiver = hook(events=("comment.created",), answers=[500, 500, 500])
    new_comment()
    for minutes in (0, 60, 600, 6000):
        deliver(clock=later(minutes))
    delivery = session.scalars(select(Delivery)).one()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert deliveries.failed_count(session, [delivery.site_id]) == 1
    deliveries.resend(session, delivery.site_id, delivery.id)
    session.commit()
    deliver()
    session.expire_all()
    assert session.get_one(Delivery, delivery.id).status is DeliveryStatus.SENT
    assert receiver.tries == 4 and len(receiver.received) == 1


def test_a_receiver_that_is_down_is_retried(hook, session, new_comment, deliver):
    receiver = hook(events=("comment.created",))
    receiver.stop()
    new_comment()
    deliver()
    delivery = session.scalars(select(Delivery)).one()
    assert delivery.status is DeliveryStatus.PENDING
    assert "refused" in (delivery.last_error or "")


def test_after_a_rotation_both_secrets_sign(hook, session, new_comment, deliver):
    receiver = hook(events=("comment.created",))
    endpoint = session.scalars(select(Endpoint)).one()
    old_secret = endpoint.secret
    rotated = endpoints.rotate_secret(session, endpoint.site_id, endpoint.id).secret
    session.commit()
    new_comment()
    deliver()
    [received] = receiver.received  # verified with the old secret
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    assert old_secret != rotated
    Webhook(rotated).verify(received.body, received.headers)  # and with the new one


def test_old_events_and_their_deliveries_are_forgotten(hook, session, new_comment, deliver):
    hook(events=("comment.created",))
    new_comment()
    deliver()
    assert session.scalar(select(func.count(Delivery.id))) == 1
    deliver(clock=later(60 * 24 * 29))  # kept for 30 days
    assert session.scalar(select(func.count(Event.id))) == 2
    deliver(clock=later(60 * 24 * 31))
    session.expire_all()
    assert session.scalar(select(func.count(Event.id))) == 0
    assert session.scalar(select(func.count(Delivery.id))) == 0
