"""Headers every portal page carries: a Content-Security-Policy that allows nothing but the portal's own files
(no inline script, no inline style, no external host), no framing, no referrer (a page's address can name a
subject), and no caching of a page that was served to a signed-in party."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
API_PREFIXES = ("/v1/", "/openapi.json", "/docs", "/redoc", "/healthz")
"""Paths that belong to the HTTP API, not to the portal."""


def is_portal_path(path: str) -> bool:
    """Whether ``path`` is a portal page (or its static files) rather than the API."""
    return not any(path == p.rstrip("/") or path.startswith(p) for p in API_PREFIXES)


class PortalHeaders:
    """ASGI middleware: the portal's security headers on every response to a portal path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_portal_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = {
                    b"content-security-policy": CONTENT_SECURITY_POLICY.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"no-referrer",
                    b"cross-origin-opener-policy": b"same-origin",
                }
                if not scope.get("path", "").startswith("/static/"):
                    extra[b"cache-control"] = b"no-store"
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
