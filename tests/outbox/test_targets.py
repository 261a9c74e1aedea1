"""Where deliveries may go: public addresses only unless the operator allows others, checked
when an endpoint is added and again at each delivery, at the address that was checked."""

from __future__ import annotations

import socket
import time

import pytest

from moderation.errors import ValidationError
from moderation.outbox import targets
from moderation.outbox.endpoints import add_endpoint

REFUSED = [
    "http://127.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://localhost:8000/hook",
    "http://10.1.2.3/",
    "http://192.168.0.10/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_private_loopback_and_link_local_targets_are_refused(url):
    with pytest.raises(targets.RefusedTarget, match="private, loopback or link-local"):
        targets.check(url, allow_private=False)


def test_a_name_that_resolves_to_a_private_address_is_refused(monkeypatch):
    def resolve(host, port, *args, **kwargs):
        assert host == "hooks.attacker.example"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(targets.RefusedTarget, match=r"10\.0\.0\.1"):
        targets.check("https://hooks.attacker.example/in", allow_private=False)


def test_one_private_answer_among_public_ones_is_refused(monkeypatch):
    answers = [("93.184.215.14", 443), ("127.0.0.1", 443)]
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", addr) for addr in answers],
    )
    with pytest.raises(targets.RefusedTarget):
        targets.check("https://rebind.example/", allow_private=False)


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch):
    """A second lookup (DNS rebinding) is never made: the socket opens on the checked address."""
    lookups = []

    def resolve(host, port, *args, **kwargs):
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    opened = []

    def connect(address, *args, **kwargs):
        opened.append(address)
        raise ConnectionRefusedError("test: no network")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket, "create_connection", connect)
    with pytest.raises(ConnectionRefusedError):
        targets.post("http://public.example/hook", b"{}", {}, timeout=1, allow_private=False)
    assert lookups == ["public.example"] and opened == [("93.184.215.14", 80)]


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/", "javascript:alert(1)", "http:///nohost", "http://u:p@example.com/"],
)
def test_urls_that_are_not_http_endpoints_are_refused(url):
    with pytest.raises(targets.RefusedTarget):
        targets.parse(url)


def test_the_operator_may_allow_private_targets():
    assert targets.check("http://127.0.0.1:9/", allow_private=True).port == 9


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://169.254.169.254/", "http://[::1]/"])
def test_an_admin_cannot_add_an_endpoint_on_the_service_s_network(session, url):
    with pytest.raises(ValidationError, match="private, loopback or link-local"):
        add_endpoint(session, 1, url, allow_private=False)


def test_deliveries_to_one_receiver_share_a_connection(receivers):
    receiver = receivers(keep_alive=True)
    for _ in range(3):
        answer = targets.post(receiver.url, b"{}", {}, timeout=5, allow_private=True)
        assert answer.status == 200
    assert (receiver.tries, receiver.connections) == (3, 1)


def test_a_kept_connection_the_receiver_closed_is_replaced(receivers):
    receiver = receivers(keep_alive=True, idle=0.2)
    targets.post(receiver.url, b"{}", {}, timeout=5, allow_private=True)
    deadline = time.monotonic() + 5
    while receiver.closed == 0 and time.monotonic() < deadline:
        time.sleep(0.02)  # until the receiver has closed the idle connection
    answer = targets.post(receiver.url, b"{}", {}, timeout=5, allow_private=True)
    assert answer.status == 200 and receiver.connections == 2


def test_a_slow_answer_on_a_kept_connection_still_meets_the_deadline(receivers):
    receiver = receivers(keep_alive=True)
    targets.post(receiver.url, b"{}", {}, timeout=5, allow_private=True)
    receiver.delay = 2.0
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"no answer within 0\.5 s"):
        targets.post(receiver.url, b"{}", {}, timeout=0.5, allow_private=True)
    assert time.monotonic() - started < 1.5
