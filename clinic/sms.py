"""Text messages through a pluggable backend, as Django sends email through its email backend (issue #18).

``settings.SMS_BACKEND`` names the class, ``SMS_FILE_PATH`` the file backend's outbox. Backends:

- ``clinic.sms.FileBackend`` (the default): appends each message as one JSON line to ``SMS_FILE_PATH``
  (``var/sms/outbox.jsonl``), so a clinic without a gateway, and ``make run``, can read what would have gone out.
- ``clinic.sms.LocmemBackend`` (the tests): keeps the messages in ``clinic.sms.outbox``.
- A real gateway: a class with ``send(to, body)`` that raises ``SMSError`` when the gateway refuses, named in
  ``SMS_BACKEND`` (docs/deploy.md "Reminders").

Nothing here logs a message's text or number: the caller records what was sent, where it belongs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SMSError(Exception):
    """The backend could not send the message."""


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


class Backend(Protocol):
    def send(self, to: str, body: str) -> None: ...


outbox: list[TextMessage] = []


class LocmemBackend:
    def send(self, to: str, body: str) -> None:
        outbox.append(TextMessage(to, body))


class FileBackend:
    def send(self, to: str, body: str) -> None:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "to": to, "body": body})
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def send_sms(to: str, body: str) -> None:
    backend: Backend = import_string(settings.SMS_BACKEND)()
    backend.send(to, body)
