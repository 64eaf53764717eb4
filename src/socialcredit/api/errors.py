"""The one place that maps domain errors to HTTP.

======================================  =====  ==================================================================
error                                   status body
======================================  =====  ==================================================================
InputError (and request validation)     422    ``detail`` and ``problems``: each with file, row, field, value, reason
NotFound                                404    ``detail``
ConflictError                           409    ``detail``
PermissionDenied                        403    ``detail`` (already logged as a refusal)
Unauthenticated                         401    ``detail``; ``WWW-Authenticate: Bearer``
StoreError                              503    ``detail``
ConfigurationError                      503    ``detail``
TooManyRequests                         429    ``detail``; ``Retry-After: seconds``
======================================  =====  ==================================================================
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from socialcredit.errors import (
    ConfigurationError,
    ConflictError,
    InputError,
    NotFound,
    Problem,
    StoreError,
    TooManyRequests,
)
from socialcredit.service.parties import PermissionDenied, Unauthenticated

ROW_LISTS = {"records", "queries"}
"""Request fields whose items are rows: a problem in item i is reported as row i + 1, like a file's rows."""


def problem_dict(problem: Problem) -> dict[str, Any]:
    """A problem as JSON."""
    return {k: v for k, v in dataclasses.asdict(problem).items() if v is not None}


def validation_problems(exc: RequestValidationError) -> list[Problem]:
    """FastAPI's validation errors as located problems (row N for the N-th record or query)."""
    problems = []
    for error in exc.errors()[:100]:
        loc = [str(x) for x in error.get("loc", ()) if x not in ("body",)]
        row = None
        for i, part in enumerate(loc[:-1]):
            if part in ROW_LISTS and loc[i + 1].isdigit():
                row = int(loc[i + 1]) + 1
                loc = loc[i + 2 :]
                break
        value = error.get("input")
        shown = value if isinstance(value, str | int | float | bool) and not isinstance(value, bool) else None
        problems.append(
            Problem(
                reason=str(error.get("msg", "invalid")),
                field=".".join(loc) or None,
                value=str(shown)[:200] if shown is not None else None,
                row=row,
            )
        )
    return problems


def _problems_response(problems: list[Problem], detail: str) -> JSONResponse:
    return JSONResponse(
        status_code=422, content={"detail": detail, "problems": [problem_dict(p) for p in problems]}
    )


def install(app: FastAPI) -> None:
    """Register the handlers."""

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = validation_problems(exc)
        return _problems_response(problems, str(InputError(problems)))

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return _problems_response(exc.problems, str(exc))

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    @app.exception_handler(ConflictError)
    async def _conflict(request: Request, exc: ConflictError) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(exc)})

    @app.exception_handler(PermissionDenied)
    async def _denied(request: Request, exc: PermissionDenied) -> JSONResponse:
        return JSONResponse(status_code=403, content={"detail": str(exc)})

    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(request: Request, exc: Unauthenticated) -> JSONResponse:
        return JSONResponse(
            status_code=401, content={"detail": str(exc)}, headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": str(exc)})

    @app.exception_handler(TooManyRequests)
    async def _too_many(request: Request, exc: TooManyRequests) -> JSONResponse:
        return JSONResponse(
            status_code=429, content={"detail": str(exc)}, headers={"Retry-After": str(exc.retry_after)}
        )

    @app.exception_handler(ConfigurationError)
    async def _configuration(request: Request, exc: ConfigurationError) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": str(exc)})
