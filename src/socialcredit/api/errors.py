"""The one place that maps domain errors to HTTP, and what every error body looks like.

======================================  =====  ==================================================================
error                                   status body
======================================  =====  ==================================================================
InputError (and request validation)     422    ``detail`` and ``problems``: each with file, row, field, value, reason
NotFound                                404    ``detail``
ConflictError                           409    ``detail``
PermissionDenied                        403    ``detail`` (already logged as a refusal)
Unauthenticated                         401    ``detail``; ``WWW-Authenticate: Bearer``
TooManyRequests                         429    ``detail``; ``Retry-After: seconds``
StoreError, ConfigurationError          503    ``detail``
FederationError (a peer platform)       502    ``detail``
any other SocialCreditError, anything   500    ``detail`` naming a reference that the server's log carries
======================================  =====  ==================================================================

A body that is not JSON, or not UTF-8, is bad input like any other (422, field ``body``). Nothing a client sent is
echoed in a form that cannot be encoded: a value with a lone surrogate is shown with that character escaped, so
that a refusal never becomes a server error.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from socialcredit.api.models import ErrorOut, ProblemsOut
from socialcredit.errors import (
    ConfigurationError,
    ConflictError,
    FederationError,
    InputError,
    NotFound,
    Problem,
    SocialCreditError,
    StoreError,
    TooManyRequests,
)
from socialcredit.service.parties import PermissionDenied, Unauthenticated

log = logging.getLogger(__name__)

ROW_LISTS = {"records", "queries"}
"""Request fields whose items are rows: a problem in item i is reported as row i + 1, like a file's rows."""

REASONS = {
    "string_unicode": "invalid text: not valid Unicode (a lone surrogate is not a character)",
    "json_invalid": "not valid JSON",
}
"""Clearer words for some of pydantic's error types."""


RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "A token was sent that is malformed, unknown or revoked."},
    403: {"model": ErrorOut, "description": "The party may not do this (the refusal is logged)."},
    404: {
        "model": ErrorOut,
        "description": "No such thing (scheme, list, case, decision, subject, record type, action).",
    },
    409: {"model": ErrorOut, "description": "The request conflicts with what is stored or decided."},
    413: {"model": ErrorOut, "description": "The request body is too large."},
    422: {"model": ProblemsOut, "description": "Bad input: every problem, located; nothing was stored."},
    429: {"model": ErrorOut, "description": "Too many requests from this client: see Retry-After."},
    500: {"model": ErrorOut, "description": "A defect: the detail names the reference the server logged."},
    502: {"model": ErrorOut, "description": "Another platform of the federation could not be used."},
    503: {"model": ErrorOut, "description": "The store is unavailable or the platform is set up wrongly."},
}
"""What any operation may answer besides success: documented on every operation of the OpenAPI."""


class SafeJSONResponse(JSONResponse):
    """JSON that can always be encoded: a character UTF-8 cannot hold (a lone surrogate) is escaped."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8", errors="backslashreplace")


def safe_text(value: str) -> str:
    """``value`` with every character UTF-8 cannot encode escaped (``\\ud800``)."""
    return value.encode("utf-8", errors="backslashreplace").decode("utf-8")


def problem_dict(problem: Problem) -> dict[str, Any]:
    """A problem as JSON."""
    out = {k: v for k, v in dataclasses.asdict(problem).items() if v is not None}
    return {k: safe_text(v) if isinstance(v, str) else v for k, v in out.items()}


def validation_problems(exc: RequestValidationError) -> list[Problem]:
    """FastAPI's validation errors as located problems (row N for the N-th record or query)."""
    problems = []
    for error in exc.errors()[:100]:
        loc = [str(x) for x in error.get("loc", ()) if x not in ("body",)]
        if error.get("type") == "json_invalid":  # the location is a character position in the body
            loc = ["body"]
        row = None
        for i, part in enumerate(loc[:-1]):
            if part in ROW_LISTS and loc[i + 1].isdigit():
                row = int(loc[i + 1]) + 1
                loc = loc[i + 2 :]
                break
        if not loc and row is None:  # about the body as a whole (a name in it that is no text)
            loc = ["body"]
        value = error.get("input")
        shown = value if isinstance(value, str | int | float) and not isinstance(value, bool) else None
        reason = REASONS.get(str(error.get("type")), str(error.get("msg", "invalid")))
        problems.append(
            Problem(
                reason=reason,
                field=safe_text(".".join(loc)) or None,
                value=safe_text(str(shown)[:200]) if shown is not None else None,
                row=row,
            )
        )
    return problems


class PageErrors(Protocol):
    """How refusals are shown on pages that are not the API's (the portal): the same status, a page."""

    def handles(self, path: str) -> bool:
        """Whether a request to ``path`` is answered with a page."""
        ...

    def render(
        self,
        request: Request,
        status: int,
        detail: str,
        problems: Sequence[Problem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """The refusal as a page."""
        ...


class Answer:
    """Answers refusals: JSON for the API, a page where ``pages`` handles the path."""

    def __init__(self, pages: PageErrors | None) -> None:
        self.pages = pages

    def __call__(
        self,
        request: Request,
        status: int,
        detail: str,
        problems: Sequence[Problem] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        if self.pages is not None and self.pages.handles(request.url.path):
            return self.pages.render(request, status, safe_text(detail), list(problems or ()), headers)
        content: dict[str, Any] = {"detail": safe_text(detail)}
        if problems is not None:
            content["problems"] = [problem_dict(p) for p in problems]
        return SafeJSONResponse(status_code=status, content=content, headers=dict(headers) if headers else None)


def install(app: FastAPI, pages: PageErrors | None = None) -> Answer:
    """Register the handlers; refusals on paths that ``pages`` handles are answered as pages.

    Returns the answer, for refusals made before a route runs (the body limit).
    """
    answer = Answer(pages)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = validation_problems(exc)
        return answer(request, 422, str(InputError(problems)), problems)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        return answer(request, 422, str(exc), exc.problems)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return answer(request, 404, str(exc))

    @app.exception_handler(ConflictError)
    async def _conflict(request: Request, exc: ConflictError) -> Response:
        return answer(request, 409, str(exc))

    @app.exception_handler(PermissionDenied)
    async def _denied(request: Request, exc: PermissionDenied) -> Response:
        return answer(request, 403, str(exc))

    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(request: Request, exc: Unauthenticated) -> Response:
        return answer(request, 401, str(exc), headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(TooManyRequests)
    async def _too_many(request: Request, exc: TooManyRequests) -> Response:
        return answer(request, 429, str(exc), headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> Response:
        return answer(request, 503, str(exc))

    @app.exception_handler(ConfigurationError)
    async def _configuration(request: Request, exc: ConfigurationError) -> Response:
        return answer(request, 503, str(exc))

    @app.exception_handler(FederationError)
    async def _federation(request: Request, exc: FederationError) -> Response:
        return answer(request, 502, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:  # the body could not be read as JSON (not UTF-8, cut short)
            problem = Problem("the body is not valid JSON in UTF-8", "body")
            return answer(request, 422, str(InputError([problem])), [problem])
        return answer(request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(SocialCreditError)
    async def _domain(request: Request, exc: SocialCreditError) -> Response:
        return _failure(request, exc, answer)

    @app.exception_handler(Exception)
    async def _anything(request: Request, exc: Exception) -> Response:
        return _failure(request, exc, answer)

    return answer


def _failure(request: Request, exc: BaseException, answer: Answer) -> Response:
    """A defect: logged in full under a reference, answered with the reference only."""
    platform = getattr(request.app.state, "platform", None)
    reference = platform.context.references.new("E", 6) if platform is not None else "E-unknown"
    log.error("%s %s failed (%s)", request.method, request.url.path, reference, exc_info=exc)
    detail = f"the platform failed to answer; the operator can look this up as {reference}"
    return answer(request, 500, detail)
