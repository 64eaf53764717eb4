"""Signing in to the portal, and what every form carries.

A party signs in with the same bearer token the API takes; the portal keeps it in a session cookie that scripts
cannot read (HttpOnly), that no other site's page sends (SameSite=Strict), and that travels only over HTTPS when
the portal is served over HTTPS (Secure). Nothing else about the party is kept: each request authenticates the
token again, so a revoked token signs the party out at once.

Every form carries a CSRF token: a random value the portal sets in a cookie of its own on the first page and
writes into each form; a form posted without the same value is refused (and logged). Sign-in attempts are
limited per client address (``Settings.sign_in_burst`` at once, then ``sign_in_per_minute`` a minute).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "sc_session"
CSRF_COOKIE = "sc_csrf"
CSRF_FIELD = "csrf"
MAX_TOKEN_LENGTH = 200


def new_csrf() -> str:
    """A fresh CSRF value: unguessable, so a form cannot be forged from another site."""
    return secrets.token_urlsafe(32)


def csrf_matches(cookie: str | None, field: str | None) -> bool:
    """Whether a posted form's CSRF value is the one its reader's cookie holds."""
    if not cookie or not field or len(field) > 100:
        return False
    return hmac.compare_digest(cookie.encode(), field.encode())


def secure(request: Request) -> bool:
    """Whether cookies should be sent over HTTPS only: when the page itself came over HTTPS."""
    return request.url.scheme == "https"


def set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    """A cookie as the portal sets them: for the whole site, HttpOnly, SameSite=Strict, Secure over HTTPS; it
    lasts the browser session."""
    response.set_cookie(name, value, path="/", httponly=True, samesite="strict", secure=secure(request))


def clear_cookie(response: Response, request: Request, name: str) -> None:
    """Remove a cookie the portal set."""
    response.delete_cookie(name, path="/", httponly=True, samesite="strict", secure=secure(request))


def client_address(request: Request) -> str:
    """Who the sign-in limit counts: the client's address."""
    return f"address:{request.client.host if request.client else '-'}"


def safe_next(target: str | None, default: str = "/") -> str:
    """A place on this site to go back to after signing in; anything else (another host, a scheme) is
    ``default``, so that the sign-in page cannot be used to send a party elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target) or len(target) > 500:
        return default
    return target


def sign_in_url(path: str) -> str:
    """The sign-in page, coming back to ``path``."""
    return "/sign-in?next=" + quote(safe_next(path), safe="/")
