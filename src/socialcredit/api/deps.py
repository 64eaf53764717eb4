"""Dependencies: the platform (and its due-process workflows) and the party making the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from socialcredit.service.context import MAX_PAGE
from socialcredit.service.due_process import DueProcess
from socialcredit.service.parties import ANONYMOUS, Party, Unauthenticated, authenticate
from socialcredit.service.platform import Platform

bearer = HTTPBearer(auto_error=False, description="A party's token, issued with `socialcredit token issue`.")


def get_platform(request: Request) -> Platform:
    """The platform built by :func:`socialcredit.api.create_app`."""
    return request.app.state.platform


def get_due_process(request: Request) -> DueProcess:
    """Objections, corrections and repair over the platform."""
    return request.app.state.due_process


def get_party(
    request: Request,
    platform: Annotated[Platform, Depends(get_platform)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> Party:
    """The party holding the bearer token; the public when no Authorization header is sent; 401 (logged) for a
    bad token, and for an Authorization header that is not ``Bearer <token>`` (an empty one is no way to be the
    public)."""
    if credentials is None:
        if request.headers.get("authorization") is None:
            return ANONYMOUS
        exc = Unauthenticated("the Authorization header must be 'Bearer <token>'; send none to ask as the public")
        platform.log_refusal(ANONYMOUS, "authenticate", f"{request.method} {request.url.path}: {exc}")
        raise exc
    try:
        return authenticate(platform.store, credentials.credentials)
    except Unauthenticated as exc:
        platform.log_refusal(ANONYMOUS, "authenticate", f"{request.method} {request.url.path}: {exc}")
        raise


PlatformDep = Annotated[Platform, Depends(get_platform)]
DueProcessDep = Annotated[DueProcess, Depends(get_due_process)]
PartyDep = Annotated[Party, Depends(get_party)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Items per page (at most {MAX_PAGE}).")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]
