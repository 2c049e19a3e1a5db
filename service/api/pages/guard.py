"""Who may send the pages' forms: the API key or a login it unlocks, and CSRF protection.

With ``STORYDIFF_API_KEY`` set, a form that writes (``/ingest``) needs the key as a
header (as the JSON API does) or a session from ``/login``, where a person pastes the key
once. The session is a cookie signed with itsdangerous (timestamped, so it expires, and
verified in constant time), HttpOnly and SameSite=Strict; it is signed with a key derived
from the API key, so changing the key ends every session.

Every form POST, writing or not, also passes two CSRF checks:

- its Origin (or, without one, its Referer) names this server; a browser always sends
  Origin with a POST, so a form posted from another site is refused (403 ``csrf_failed``);
- it carries the token its page was rendered with: an HMAC of a random per-browser nonce
  (the HttpOnly ``storydiff_csrf`` cookie) and the form's action, which another site can
  neither read nor make.

Without a key, the secret is random per process: a page rendered before a restart needs a
reload before its form is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from service.api.deps import Unauthorized, require_api_key
from service.config import Settings
from service.errors import StorydiffError

SESSION_COOKIE = "storydiff_session"
CSRF_COOKIE = "storydiff_csrf"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 12 * 3600
_NONCE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class CsrfFailed(StorydiffError):
    """403: a form from another origin, or without the token its page was rendered with."""

    code = "csrf_failed"
    status = 403


@dataclass(frozen=True, slots=True)
class PageGuard:
    settings: Settings = field(repr=False)
    key: str | None = field(repr=False)  # the API key; None: the forms need no login
    csrf_secret: bytes = field(repr=False)
    sessions: URLSafeTimedSerializer | None = field(repr=False)

    @classmethod
    def of(cls, settings: Settings) -> PageGuard:
        if settings.api_key is None:
            return cls(settings, key=None, csrf_secret=secrets.token_bytes(32), sessions=None)
        key = settings.api_key.get_secret_value()
        csrf_secret = hmac.new(key.encode(), b"storydiff csrf", hashlib.sha256).digest()
        return cls(settings, key=key, csrf_secret=csrf_secret, sessions=URLSafeTimedSerializer(key, salt="storydiff session"))

    # -- login -------------------------------------------------------------------------

    @property
    def login_required(self) -> bool:
        return self.key is not None

    def logged_in(self, request: Request) -> bool:
        if self.sessions is None:
            return False
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return False
        try:
            return self.sessions.loads(cookie, max_age=SESSION_SECONDS) == {"login": True}
        except BadSignature:  # also an expired one (SignatureExpired)
            return False

    def may_write(self, request: Request) -> bool:
        """Whether the writing forms are open to this request (to show them or a login link)."""
        if self.key is None or self.logged_in(request):
            return True
        try:
            require_api_key(request, self.settings)  # the key as the JSON API takes it
        except Unauthorized:
            return False
        return True

    def require_write(self, request: Request) -> None:
        """Writing forms: the key as a header, or a login session (401 ``unauthorized``)."""
        if not self.may_write(request):
            raise Unauthorized("This server needs its API key to add articles: log in at /login with the key first.")

    def key_matches(self, given: str) -> bool:
        return self.key is not None and hmac.compare_digest(given.strip().encode(), self.key.encode())

    def start_session(self, request: Request, response: Response) -> None:
        assert self.sessions is not None
        response.set_cookie(
            SESSION_COOKIE,
            self.sessions.dumps({"login": True}),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )

    def end_session(self, request: Request, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")

    # -- CSRF --------------------------------------------------------------------------

    def nonce_of(self, request: Request) -> str | None:
        """The browser's CSRF nonce from its cookie, if it has a well-formed one."""
        nonce = request.cookies.get(CSRF_COOKIE, "")
        return nonce if len(nonce) == 43 and set(nonce) <= _NONCE_CHARS else None

    def token(self, nonce: str, action: str) -> str:
        """The token of one form (its action path) for one browser."""
        return hmac.new(self.csrf_secret, f"{nonce}\n{action}".encode(), hashlib.sha256).hexdigest()

    def check_origin(self, request: Request) -> None:
        """403 for a form posted from another origin (checked before the body is read)."""
        claimed = request.headers.get("origin") or _origin_of(request.headers.get("referer"))
        if claimed is None:
            return  # a client that names no origin is not a browser posting across sites
        parts = urlsplit(claimed)
        host = request.headers.get("host", "").lower()
        if parts.scheme not in ("http", "https") or not host or parts.netloc.lower() != host:
            raise CsrfFailed(f"This form was sent from another site ({claimed[:100]}); forms are accepted only from this server's pages.")

    def check_token(self, request: Request, token: str, action: str) -> None:
        nonce = self.nonce_of(request)
        if nonce is None or not hmac.compare_digest(token.encode(), self.token(nonce, action).encode()):
            raise CsrfFailed("The form's security token is missing or out of date: reload the page and send the form again.")


class FormTokens:
    """A page's ``csrf(action)`` for its templates; mints the browser's nonce on first use."""

    def __init__(self, guard: PageGuard, request: Request) -> None:
        self.guard = guard
        self.request = request
        self.nonce = guard.nonce_of(request)
        self.minted = False

    def __call__(self, action: str) -> str:
        if self.nonce is None:
            self.nonce, self.minted = secrets.token_urlsafe(32), True
        return self.guard.token(self.nonce, action)

    def set_cookie(self, response: Response) -> None:
        """Give the browser the nonce its forms' tokens were made from (Lax: arriving from
        a link elsewhere sends it, so such a visit does not replace it and break open tabs)."""
        if self.minted and self.nonce is not None:
            secure = self.request.url.scheme == "https"
            response.set_cookie(CSRF_COOKIE, self.nonce, httponly=True, samesite="lax", secure=secure, path="/")


def guard_of(request: Request) -> PageGuard:
    return request.app.state.page_guard


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "null"


def safe_next(path: str) -> str:
    """Where to go after logging in: a path on this server only (no ``//host`` or ``\\``)."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path and all(c.isprintable() for c in path):
        return path
    return "/ingest"
