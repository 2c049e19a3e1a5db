"""Errors the service raises on bad input, each with a stable code a program can branch on.

The API maps them to one JSON error body (``service/api/errors.py``); the CLI prints them.
"""

from __future__ import annotations

import re


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


class ModelUnavailable(Unavailable):
    """An ML artefact (the embedding model, the story score's parameters) is missing or
    cannot be loaded; the message says how to rebuild it."""

    code = "model_unavailable"


_SECRET_QUERY_KEYS = ("pass", "secret", "token", "key")
_HOST = re.compile(r"[\w.\-\[\]:%]*(?=[/?#]|$)")


def mask_url(url: str) -> str:
    """``url`` with its password (and secret-looking query values) replaced by ``***``:
    every message, log line and error body that names a database or Redis URL goes
    through here, so a credential never reaches a client or a terminal.

    >>> mask_url("redis://:s3cret@cache:6379/0")
    'redis://:***@cache:6379/0'
    >>> mask_url("postgresql+psycopg://app:pw@db/news?sslpassword=x&sslmode=require")
    'postgresql+psycopg://app:***@db/news?sslpassword=***&sslmode=require'
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    # The user part ends at the last "@" that a host follows: a password may hold "@", "/",
    # "?" or "#" unquoted, and then no URL parser finds where it ends.
    at = next((m.start() for m in reversed(list(re.finditer("@", rest))) if _HOST.match(rest, m.end())), -1)
    if at >= 0:
        user, colon, _password = rest[:at].partition(":")
        rest = f"{user}{colon}***{rest[at:]}" if colon else rest
        path_at = at
    else:
        path_at = 0
    query_at = min((i for i in (rest.find("?", path_at), rest.find("#", path_at)) if i >= 0), default=len(rest))
    head, tail = rest[:query_at], rest[query_at:]
    if tail.startswith("?"):
        query, hash_sign, fragment = tail[1:].partition("#")
        pairs = []
        for pair in query.split("&"):
            name, eq, _value = pair.partition("=")
            secret = eq and any(word in name.lower() for word in _SECRET_QUERY_KEYS)
            pairs.append(f"{name}=***" if secret else pair)
        tail = "?" + "&".join(pairs) + hash_sign + fragment
    return f"{scheme}://{head}{tail}"
