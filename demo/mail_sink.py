"""A real SMTP server in this process (aiosmtpd), counting what it accepts by Message-ID as a mail
server would: the benchmark's mail sink (the outbox's sending rate), and the tests' for emails sent
by other processes (a Celery worker killed and restarted)."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections import Counter
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller


class _Counting:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)  # a mail server's own time to accept a message
        message_id = message_from_bytes(envelope.original_content or envelope.content)["Message-ID"]
        with self.lock:
            self.message_ids.append(str(message_id))
        return "250 Message accepted for delivery"


class MailSink:
    """Start it, point EMAIL_HOST/EMAIL_PORT at it (EMAIL_BACKEND smtp), read what it accepted."""

    def __init__(self, delay: float = 0.0) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.handler = _Counting(delay)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MailSink:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def accepted(self) -> int:
        with self.handler.lock:
            return len(self.handler.message_ids)

    def by_message_id(self) -> Counter[str]:
        with self.handler.lock:
            return Counter(self.handler.message_ids)

    def environment(self) -> dict[str, str]:
        """The settings a process sending through this sink needs."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
        }


def smtp_settings(sink: MailSink) -> dict[str, object]:
    """Django's settings for sending through the sink, in this process."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": sink.port,
    }
