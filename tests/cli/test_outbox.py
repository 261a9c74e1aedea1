"""The outbox's commands, run as an operator would: webhooks and Slack channels of a site, and
the worker delivering what the outbox holds to a real receiver."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from moderation import create_app

from ..conftest import thread_url
from ..outbox.receiver import Receiver
from .test_commands import env, run  # noqa: F401 - the CLI tests' environment and runner

pytestmark = pytest.mark.usefixtures("env")


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.stop()


def _site() -> None:
    run("init")
    run("site", "create", "news", "--origin", "https://news.example")


def test_add_prints_the_secret_last_and_the_worker_delivers(receiver, monkeypatch):
    monkeypatch.setenv("MODERATION_WEBHOOK_ALLOW_PRIVATE", "true")
    _site()
    out = run("webhook", "add", "news", receiver.url, "--event", "comment.created").output
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    receiver.secret = secret
    Webhook(secret)  # a secret the library takes
    listed = run("webhook", "list", "news").output
    assert receiver.url in listed and "comment.created" in listed and secret not in listed
    answer = (
        create_app()
        .test_client()
        .post(
            thread_url("news", "/a"),
            json={"body": "Hello", "author_name": "Ann"},
            headers={"X-Guest-Key": "k" * 32},
        )
    )
    assert answer.status_code == 201
    run("worker", "--once")
    assert receiver.types() == ["comment.created"] and receiver.refused == []


def test_rotate_prints_a_new_secret_and_remove_stops_deliveries(receiver, monkeypatch):
    monkeypatch.setenv("MODERATION_WEBHOOK_ALLOW_PRIVATE", "true")
    _site()
    first = run("webhook", "add", "news", receiver.url).output.strip().splitlines()[-1]
    endpoint_id = run("webhook", "list", "news").output.split("\t", 1)[0]
    second = run("webhook", "rotate", "news", endpoint_id).output.strip().splitlines()[-1]
    assert second.startswith("whsec_") and second != first
    run("webhook", "remove", "news", endpoint_id)
    assert run("webhook", "list", "news").output == ""


def test_a_private_target_is_refused_unless_the_operator_allows_it(receiver):
    _site()
    result = run("webhook", "add", "news", "http://169.254.169.254/latest", ok=False)
    assert result.exit_code != 0 and "link-local" in result.output
    result = run("webhook", "add", "news", receiver.url, ok=False)
    assert "webhook_allow_private" in result.output


def test_an_unknown_event_type_is_refused(receiver, monkeypatch):
    monkeypatch.setenv("MODERATION_WEBHOOK_ALLOW_PRIVATE", "true")
    _site()
    result = run("webhook", "add", "news", receiver.url, "--event", "comment.exploded", ok=False)
    assert result.exit_code == 2 and "comment.exploded" in result.output


def test_a_slack_channel_takes_topics_and_https_only(monkeypatch):
    monkeypatch.setenv("MODERATION_WEBHOOK_ALLOW_PRIVATE", "true")
    _site()
    refused = run("webhook", "slack", "news", "http://127.0.0.1:9/services/x", ok=False)
    assert "starts with https://" in refused.output
    run("webhook", "slack", "news", "https://127.0.0.1:9/services/x", "--topic", "reported")
    assert run("webhook", "list", "news").output.split("\t")[1:4:2] == ["slack", "reported\n"]
