"""Errors the service raises on bad input, each with a stable code a program can branch on.

The API maps them to one JSON error body (``service/api/errors.py``); the CLI prints them.
"""

from __future__ import annotations


class StorydiffError(Exception):
    """Base class: ``code`` is stable, ``message`` is for people."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, errors: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.errors = errors or []


class InvalidInput(StorydiffError, ValueError):
    """The input cannot become an article (empty text, bad date, no extractable HTML...)."""

    code = "invalid_article"


class TooLarge(StorydiffError, ValueError):
    code = "too_large"


class NotFound(StorydiffError, LookupError):
    code = "not_found"


class Unavailable(StorydiffError, RuntimeError):
    """A backing service (database, Redis, model) cannot be reached."""

    code = "unavailable"
