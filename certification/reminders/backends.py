"""SMS gateways, chosen by the SMS_BACKEND setting: console, file (one JSON object per line), http.

The http backend POSTs JSON with a bearer token. 2xx: sent. 4xx: permanent failure, never retried.
5xx, timeouts and refused connections: temporary, retried with backoff by the dispatcher. The message id
goes along as an idempotency key, so a gateway that already accepted a message does not send it twice.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

logger = logging.getLogger("certification.reminders.backends")


@dataclass(frozen=True)
class Delivery:
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"

    outcome: str
    status_code: int | None = None
    response: str = ""


def _payload(message) -> dict:
    return {
        "message_id": message.pk,
        "to": message.phone,
        "kind": message.stage,
        "template": message.template_key,
        "text": message.text,
    }


class ConsoleBackend:
    name = "console"

    def send(self, message) -> Delivery:
        logger.info("SMS to %s [%s]: %s", message.phone, message.stage, message.text)
        return Delivery(Delivery.SENT, response="logged")


class FileBackend:
    """Appends one JSON object per line: for development and for the acceptance checks."""

    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def send(self, message) -> Delivery:
        line = json.dumps({**_payload(message), "sent_at": timezone.now().isoformat()}, ensure_ascii=False)
        with self._lock, open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return Delivery(Delivery.SENT, response="written")


class HttpBackend:
    """A JSON POST to the gateway over one kept-alive connection per thread."""

    name = "http"

    def __init__(self, url: str, token: str, timeout: float):
        if not url:
            raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL.")
        self.url = urllib.parse.urlsplit(url)
        self.token = token
        self.timeout = timeout
        self._local = threading.local()

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self.url.scheme == "https" else http.client.HTTPConnection
            connection = kind(self.url.hostname, self.url.port, timeout=self.timeout)
            connection.connect()
            # Small requests on a kept-alive connection: do not let Nagle's algorithm hold them back.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._local.connection = connection
        return connection

    def send(self, message) -> Delivery:
        body = json.dumps(_payload(message), ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": f"pension-portal-{message.pk}",
        }
        path = self.url.path or "/"
        try:
            connection = self._connection()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read(2000).decode("utf-8", errors="replace")
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            self._local.connection = None  # a broken connection is not reused
            return Delivery(Delivery.RETRY, response=f"{type(error).__name__}: {error}")
        if 200 <= response.status < 300:
            return Delivery(Delivery.SENT, response.status, text)
        if 400 <= response.status < 500:
            return Delivery(Delivery.FAILED, response.status, text)
        return Delivery(Delivery.RETRY, response.status, text)


def get_backend():
    kind = settings.SMS_BACKEND
    if kind == "console":
        return ConsoleBackend()
    if kind == "file":
        return FileBackend(settings.SMS_FILE_PATH)
    if kind == "http":
        return HttpBackend(settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN, settings.SMS_HTTP_TIMEOUT_SECONDS)
    raise ImproperlyConfigured(f"SMS_BACKEND must be console, file or http, not {kind!r}")
