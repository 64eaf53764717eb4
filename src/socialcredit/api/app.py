"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from socialcredit.api import errors
from socialcredit.api.limits import BodyLimit
from socialcredit.api.routes import cases, catalogue, decisions, federation, parties, public, records, subjects
from socialcredit.dates import utc_now
from socialcredit.federation.setup import federation_of, start_puller
from socialcredit.scheme.model import Scheme
from socialcredit.service.due_process import DueProcess
from socialcredit.service.notices import Sender
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings
from socialcredit.store import Store, open_store_for
from socialcredit.web.app import install_portal

DESCRIPTION = """
The socialcredit platform's HTTP API. Send a party's token as `Authorization: Bearer TOKEN`; without one you are
the public. Authorities submit records; service providers ask for decisions and learn only the decision, a
reason code and a reference; subjects see their own file, object and apply for repair; reviewers decide within
deadlines; the public sees published list entries with identity numbers masked. Every refused request is logged.
"""


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    clock: Callable[[], datetime] = utc_now,
    sender: Sender | None = None,
    schemes: Sequence[Scheme] | None = None,
) -> FastAPI:
    """The FastAPI application over the store the settings name (or ``store``, which the caller then closes), with
    the shipped schemes meant for operation unless ``schemes`` are given. A scheme whose rights audit finds an
    error is refused (SchemeError), and the store opened for it closed again."""
    settings = settings or Settings()
    owned = store is None
    the_store = store if store is not None else open_store_for(settings, clock=clock)
    try:
        platform = Platform(the_store, settings, schemes=schemes, clock=clock, sender=sender)
    except BaseException:
        if owned:
            the_store.close()
        raise

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[None]:
        # One puller per platform: with ``serve --workers N`` only the first worker pulls.
        wanted = getattr(app_.state, "pull_federation", True)
        puller = start_puller(app_.state.federation, settings) if wanted else None
        try:
            yield
        finally:
            if puller is not None:
                puller.stop()
            if owned:
                the_store.close()

    app = FastAPI(
        title="socialcredit",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        default_response_class=errors.SafeJSONResponse,
    )
    app.state.platform = platform
    app.state.due_process = DueProcess(platform)
    answer = errors.install(app, pages=install_portal(app, platform, app.state.due_process))
    app.state.federation = federation_of(platform, app.state.due_process)
    for module in (records, decisions, subjects, cases, public, catalogue, parties, federation):
        app.include_router(module.router, responses=errors.RESPONSES)

    @app.get("/healthz", tags=["health"], summary="Liveness")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes, answer=answer)

    def openapi() -> dict[str, Any]:
        # A token is optional everywhere: without one the caller is the public (``{}`` in OpenAPI's terms).
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for item in spec.get("paths", {}).values():
                for operation in item.values():
                    if isinstance(operation, dict) and operation.get("security"):
                        operation["security"] = [{}, *operation["security"]]
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
