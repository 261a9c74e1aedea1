"""A real SMTP server for tests: aiosmtpd on a free loopback port, in its own thread.

It keeps what it received, parsed as the recipient's mail client would read it, and can be told
to refuse the next few mails, as a busy (4xx) or unwilling (5xx) server does.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=IP:{HOST}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def free_port() -> int:
    """A port nothing listens on now (the server binds it right after; a clash is unlikely)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    """The server, its received mails (``messages``, with ``envelopes`` alongside, and whether
    each came over TLS in ``encrypted``) and its refusals. ``users`` (name to password) turns on
    AUTH, offered without TLS unless ``certificate`` (cert and key files) offers STARTTLS."""

    def __init__(
        self,
        users: dict[str, str] | None = None,
        certificate: tuple[Path, Path] | None = None,
    ) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.encrypted: list[bool] = []
        self.logins: list[tuple[str, bool]] = []
        self._users = users
        self._refusals: dict[str, list[int]] = {"RCPT": [], "DATA": []}
        self._lock = threading.Lock()
        port = free_port()
        self.url = f"smtp://{HOST}:{port}"
        options: dict[str, Any] = {}
        if users is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": bool(certificate)}
        if certificate is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*certificate)
            options["tls_context"] = context
        self._controller = Controller(self, hostname=HOST, port=port, **options)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def refuse_next(self, n: int, code: int = 451, at: str = "DATA") -> None:
        """Answer the next ``n`` DATA (or RCPT) commands with ``code`` instead of accepting."""
        with self._lock:
            self._refusals[at].extend([code] * n)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The received mails once there are ``count`` of them; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} mails arrived, not {count}")
            time.sleep(0.01)

    def _refusal(self, at: str) -> str | None:
        with self._lock:
            if not self._refusals[at]:
                return None
            code = self._refusals[at].pop(0)
        return f"{code} {'try again later' if code < 500 else 'refused'}"

    # aiosmtpd calls these on its own thread, one per command.
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self._refusal("RCPT")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        refusal = self._refusal("DATA")
        if refusal:
            return refusal
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.encrypted.append(session.ssl is not None)
            self.messages.append(message)
        return "250 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        accepted = self._users is not None and self._users.get(user) == password
        with self._lock:
            self.logins.append((user, accepted))
        # handled=False: aiosmtpd answers 535 itself (handled=True would leave the client waiting).
        return AuthResult(success=accepted, handled=False)
