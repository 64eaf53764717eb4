"""Installing the portal on the service's FastAPI application: the same process, the same service layer, no
second path to the store."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from socialcredit.service.due_process import DueProcess
from socialcredit.service.platform import Platform
from socialcredit.service.rate_limits import RateLimiter
from socialcredit.web.errors import PageErrors
from socialcredit.web.pages import Portal
from socialcredit.web.routes import ROUTERS
from socialcredit.web.security import PortalHeaders

STATIC_DIR = Path(__file__).parent / "static"


def install_portal(app: FastAPI, platform: Platform, due: DueProcess) -> PageErrors:
    """Add the portal's pages, static files and headers to ``app``; returns how its refusals are shown, for the
    application's one error map."""
    settings = platform.settings
    app.state.portal = Portal(
        platform=platform,
        due=due,
        sign_ins=RateLimiter(
            per_minute=settings.sign_in_per_minute,
            burst=settings.sign_in_burst,
            clock=platform.context.clock,
            what="sign-in attempts",
        ),
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.add_middleware(PortalHeaders)
    return PageErrors()
