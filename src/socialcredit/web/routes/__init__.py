"""The portal's pages, one module per group of readers."""

from __future__ import annotations

from fastapi import APIRouter

from socialcredit.web.routes import (
    authority,
    common,
    operator,
    organizations,
    personal,
    provider,
    public,
    reports,
    review,
)

ROUTERS: tuple[APIRouter, ...] = (
    common.router,
    public.router,
    organizations.router,
    personal.router,
    review.router,
    authority.router,
    operator.router,
    provider.router,
    reports.router,
)
