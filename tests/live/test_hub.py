"""The streams one process holds (``live.hub``): what is committed reaches every listener of its
stream, once, from one read; what is rolled back never does; streams end when asked."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from moderation.db import db
from moderation.live import feed, hub
from moderation.live.bus import Timer
from moderation.live.routes import article_channel, queue_channel
from moderation.models import Comment, Site
from moderation.outbox import events

STORY = "/2026/11/story"


class Client:
    """One connection's side of a stream: what it was sent, and a way to leave."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.gone = asyncio.Event()

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message["body"])

    async def receive(self) -> dict[str, Any]:
        await self.gone.wait()
        return {"type": "http.disconnect"}

    def text(self) -> str:
        return b"".join(self.sent).decode()


def make_hub(session: Session) -> hub.Hub:
    engine = session.get_bind()
    # SQLite wakes on the timer; PostgreSQL on its notifications (the trigger of models.py).
    return (
        hub.Hub(engine)
        if engine.dialect.name == "postgresql"
        else hub.Hub(engine, wake=lambda: Timer(0.02))
    )


def in_own_loop(main: Callable[[], Any]) -> None:
    """Run ``main()`` in an event loop of its own thread (the session's browser, Playwright's
    sync API, keeps a loop running in this one), in this thread's context (the app's, the
    session's write intent)."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as error:  # handed to the test's own thread
            failure.append(error)

    thread = threading.Thread(target=contextvars.copy_context().run, args=(target,))
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the loop did not finish"
    if failure:
        raise failure[0]


async def until(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def site_id(session: Session) -> int:
    return session.scalar(db.select(Site.id).where(Site.slug == "news"))  # type: ignore[return-value]


def test_a_comment_approved_reaches_its_readers_and_the_queue(session, new_comment, approve):
    comment = new_comment(body="Approved while you read.")
    streams = make_hub(session)
    readers, moderators, elsewhere = Client(), Client(), Client()
    start = feed.latest_id(session.connection())
    session.rollback()

    async def run() -> None:
        channel = article_channel(site_id(session), STORY)
        tasks = [
            asyncio.create_task(streams.hold([channel], start, readers.send, readers.receive)),
            asyncio.create_task(
                streams.hold([queue_channel(comment.site_id)], start, moderators.send,
                             moderators.receive)
            ),
            asyncio.create_task(
                streams.hold([article_channel(comment.site_id, "/other")], start, elsewhere.send,
                             elsewhere.receive)
            ),
        ]  # fmt: skip
        await until(lambda: streams.listeners == 3)
        approve(comment)
        await until(lambda: "Approved while you read." in readers.text())
        await until(lambda: "decided" in moderators.text())
        for client in (readers, moderators, elsewhere):
            client.gone.set()
        await asyncio.gather(*tasks)

    in_own_loop(run)
    assert readers.text().startswith("id: ")
    assert "event: comment\n" in readers.text()
    assert f'"id":{comment.id},"status":"approved"' in moderators.text()
    assert elsewhere.text() == ""
    assert streams.listeners == 0


def test_an_event_rolled_back_is_never_sent(session, new_comment):
    kept = new_comment(body="Kept.")
    streams = make_hub(session)
    client = Client()
    start = feed.latest_id(session.connection())
    session.rollback()
    data = events.comment_data(kept, {"id": kept.article_id, "key": STORY})

    async def run() -> None:
        task = asyncio.create_task(
            streams.hold([queue_channel(kept.site_id)], start, client.send, client.receive)
        )
        await until(lambda: streams.listeners == 1)
        events.emit(session, kept.site_id, "flag.created", {"comment": {**data, "id": 999_999}})
        session.rollback()
        events.emit(session, kept.site_id, "flag.created", {"comment": data})
        session.commit()
        await until(lambda: "flagged" in client.text())
        await asyncio.sleep(0.2)  # time for anything else to arrive
        client.gone.set()
        await task

    in_own_loop(run)
    assert client.text().count("event: flagged") == 1
    assert "999999" not in client.text()


def test_one_read_serves_every_listener(session, new_comment, approve):
    comments = [new_comment(body=f"Comment {n}.") for n in range(3)]
    streams = make_hub(session)
    clients = [Client() for _ in range(40)]
    start = feed.latest_id(session.connection())
    session.rollback()
    statements: list[str] = []
    engine = session.get_bind()

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if threading.current_thread().name.startswith("live"):  # the hub's reader
            statements.append(statement)

    async def run() -> None:
        channel = article_channel(comments[0].site_id, STORY)
        tasks = [
            asyncio.create_task(streams.hold([channel], start, c.send, c.receive)) for c in clients
        ]
        await until(lambda: streams.listeners == len(clients))
        await asyncio.sleep(0.1)
        event.listen(engine, "before_cursor_execute", count)
        try:
            approve(*comments)
            await until(lambda: all(c.text().count("event: comment") == 3 for c in clients))
        finally:
            event.remove(engine, "before_cursor_execute", count)
        for c in clients:
            c.gone.set()
        await asyncio.gather(*tasks)

    in_own_loop(run)
    reads = [s for s in statements if "FROM events" in s]
    renders = [s for s in statements if "FROM comments" in s]
    # However many listen: a read of the outbox per wake-up, and one of the comments it names.
    assert 1 <= len(reads) <= 4
    assert 1 <= len(renders) <= len(reads)
    assert len(statements) == len(reads) + len(renders)


def test_a_stream_opened_after_the_hub_read_past_its_start_is_caught_up(
    session, new_comment, approve
):
    comment = new_comment(body="Approved before the second reader came.")
    streams = make_hub(session)
    moderators, late = Client(), Client()
    start = feed.latest_id(session.connection())
    session.rollback()

    async def run() -> None:
        queue = queue_channel(comment.site_id)
        first = asyncio.create_task(
            streams.hold([queue], start, moderators.send, moderators.receive)
        )
        await until(lambda: streams.listeners == 1)
        approve(comment)  # for readers of the story too, whom nobody reads for yet
        await until(lambda: "decided" in moderators.text())  # the hub has read past it
        story = article_channel(comment.site_id, STORY)
        second = asyncio.create_task(streams.hold([story], start, late.send, late.receive))
        await until(lambda: "Approved before the second reader came." in late.text())
        for client in (moderators, late):
            client.gone.set()
        await asyncio.gather(first, second)

    in_own_loop(run)
    assert late.text().count("event: comment") == 1


def test_messages_kept_back_while_catching_up_go_out_in_order_once():
    listener = hub._Listener(("q:1",), 5)
    listener.held = []
    listener.put(9, b"nine")
    listener.put(7, b"seven")
    listener.release([(6, b"six"), (7, b"seven"), (4, b"old")])
    listener.put(10, b"ten")
    queued = [listener.queue.get_nowait() for _ in range(listener.queue.qsize())]
    assert queued == [b"six", b"seven", b"nine", b"ten"]


def test_closing_ends_every_stream_and_refuses_new_ones(session):
    streams = make_hub(session)
    clients = [Client() for _ in range(3)]

    async def run() -> None:
        tasks = [
            asyncio.create_task(streams.hold([queue_channel(1)], 0, c.send, c.receive))
            for c in clients
        ]
        await until(lambda: streams.listeners == 3)
        streams.close()
        await asyncio.wait_for(asyncio.gather(*tasks), 2)
        late = Client()
        await asyncio.wait_for(streams.hold([queue_channel(1)], 0, late.send, late.receive), 1)

    in_own_loop(run)
    assert streams.listeners == 0


def test_a_listener_too_slow_to_keep_up_is_closed():
    listener = hub._Listener(("q:1",), 0)
    for n in range(hub.BACKLOG + 5):
        listener.put(n + 1, b"x")
    queued = [listener.queue.get_nowait() for _ in range(listener.queue.qsize())]
    assert queued[-1] == hub._CLOSE


def test_events_seen_out_of_order_are_all_handled_and_a_gap_is_skipped_in_time(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(hub.time, "monotonic", lambda: clock[0])
    streams = hub.Hub.__new__(hub.Hub)
    streams._low, streams._seen, streams._gaps = 10, set(), {}
    streams._advance([11, 13, 14])  # 12 is a transaction not committed yet, or rolled back
    assert streams._low == 11
    clock[0] += 1
    streams._advance([12])
    assert (streams._low, streams._seen) == (14, set())
    streams._advance([16, 17])  # 15 never comes
    assert streams._low == 14
    clock[0] += hub.GAP_SECONDS + 0.1
    streams._advance([])
    assert (streams._low, streams._seen) == (17, set())


@pytest.mark.parametrize("after", [0, 5])
def test_a_stream_is_named_to_the_front_in_latin1(after):
    channels = [article_channel(1, "/café/2026 story"), queue_channel(2)]
    value = hub.spec(channels, after)
    value.encode("latin1")
    assert hub.parse_spec(value.encode("latin1")) == (channels, after)


def test_comments_no_longer_public_when_read_are_left_out(session, new_comment):
    comment = new_comment()
    rendered = feed.render(session.connection(), [feed.Item(1, "a:1:/x", "comment", comment.id)])
    assert rendered == []  # pending: readers do not see it
    assert isinstance(session.get(Comment, comment.id), Comment)
