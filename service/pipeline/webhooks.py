"""Sending a watch's matches to its webhook: one signed POST, within bounds (httpx).

The body is signed as GitHub signs its webhooks: ``X-Storydiff-Signature: sha256=`` and
the hex HMAC-SHA256 of the exact body bytes with the watch's secret, so a receiver can
tell a delivery from a forgery (docs/api.md shows the check). A redirect is not
followed (a webhook names its receiver); the address is checked before each POST as
feed addresses are (no private ones unless ``allow_private_feeds``); every attempt is
bounded by ``webhook_timeout_seconds``.

Example:
    >>> sign(b'{"a":1}', "k" * 16)
    'sha256=9961ea20b856975eeab914a23a47e70e201ef3c06ee72d3b3f0f119afa55cdf0'
"""

from __future__ import annotations

import hashlib
import hmac
from types import TracebackType

import httpx

from service.config import Settings
from service.errors import StorydiffError
from service.pipeline.fetch import USER_AGENT, FetchError, Resolver, check_address, resolve

SIGNATURE_HEADER = "X-Storydiff-Signature"
DELIVERY_HEADER = "X-Storydiff-Delivery"
EVENT_HEADER = "X-Storydiff-Event"


class WebhookError(StorydiffError):
    """An attempt the receiver did not accept; ``code`` says why, ``status_code`` is its
    HTTP status when it answered."""

    code = "webhook_failed"

    def __init__(self, message: str, *, code: str, status_code: int | None = None) -> None:
        super().__init__(message, code=code)
        self.status_code = status_code


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookSender:
    """One HTTP client for a watcher's life. ``send`` returns the receiver's 2xx status or
    raises WebhookError: ``webhook_timeout``, ``webhook_unreachable``, ``webhook_status``
    (any other answer), ``private_address``, ``unresolvable_host``, ``invalid_url``."""

    def __init__(self, settings: Settings, *, resolver: Resolver = resolve) -> None:
        self.settings = settings
        self._resolver = resolver
        timeout = httpx.Timeout(settings.webhook_timeout_seconds)
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}, trust_env=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WebhookSender:
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def send(self, url: str, body: bytes, *, secret: str, delivery_id: int, event: str) -> int:
        try:
            check_address(url, allow_private=self.settings.allow_private_feeds, resolver=self._resolver)
        except FetchError as exc:
            raise WebhookError(exc.message, code=exc.code) from None
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, secret),
            DELIVERY_HEADER: str(delivery_id),
            EVENT_HEADER: event,
        }
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise WebhookError(f"{url} did not answer within {self.settings.webhook_timeout_seconds:g} s", code="webhook_timeout") from None
        except httpx.HTTPError as exc:
            raise WebhookError(f"{url} cannot be reached: {type(exc).__name__}: {exc}", code="webhook_unreachable") from None
        if not 200 <= response.status_code < 300:
            raise WebhookError(f"{url} answered {response.status_code}", code="webhook_status", status_code=response.status_code)
        return response.status_code
