"""Bounded request bodies: a pure ASGI middleware that answers 413 past the configured size."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Refusal = Callable[[Request, int, str], Response]
"""Answers a refusal for a request: the error map's ``Answer`` (JSON for the API, a page on the portal)."""


class BodyLimit:
    """Refuse a request whose body is larger than ``max_bytes`` (by its Content-Length, or as it streams in).

    A declared oversize body is refused here, before any route runs, so it is answered through ``answer``: the
    exception handlers sit inside this middleware and never see it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, answer: Refusal) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_bytes:
                    detail = f"the request body is larger than {self.max_bytes} bytes"
                    await self.answer(Request(scope), 413, detail)(scope, receive, send)
                    return
        received = 0
        limit = self.max_bytes

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route's body read: FastAPI re-raises HTTPExceptions from there.
                    raise HTTPException(413, f"the request body is larger than {limit} bytes")
            return message

        await self.app(scope, limited, send)

