"""How the portal shows a refusal: the same map from domain errors to HTTP status as the API
(:mod:`socialcredit.api.errors`, which calls :meth:`PageErrors.render` for portal paths), as a page in the
reader's language. The public asked to sign in is sent to the sign-in page instead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from socialcredit.errors import Problem
from socialcredit.web.i18n import N_
from socialcredit.web.pages import get_page, plain_page
from socialcredit.web.security import is_portal_path
from socialcredit.web.session import sign_in_url

TITLES: dict[int, str] = {
    401: N_("Sign in to continue"),
    403: N_("You may not do this"),
    404: N_("Page not found"),
    405: N_("Page not found"),
    409: N_("This conflicts with what is already recorded"),
    413: N_("What you sent is too large"),
    422: N_("There is a problem with what you sent"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
    503: N_("The service is not available"),
}

GUIDANCE: dict[int, str] = {
    403: N_("Your role on the platform does not allow this page or this action. Every refusal is logged."),
    404: N_("There is nothing at this address, or it is not yours to see."),
    405: N_("There is nothing at this address, or it is not yours to see."),
    409: N_("Nothing was changed. Read the reason below, then check what is already recorded."),
    413: N_("Nothing was changed. Send a smaller file, or split it into several."),
    422: N_("Nothing was changed. Put right what is named below and send it again."),
    429: N_("Wait a minute, then try again."),
    500: N_("Nothing was changed. The operator can trace the failure by the reference below."),
    503: N_("Try again later."),
}
"""What a reader can do about each refusal, in their language (the platform's own reason follows it)."""


class PageErrors:
    """Renders refusals on portal paths as pages."""

    def handles(self, path: str) -> bool:
        """Whether ``path`` is the portal's (the API keeps its JSON)."""
        return is_portal_path(path) and not path.startswith("/static/")

    def render(
        self,
        request: Request,
        status: int,
        detail: str,
        problems: Sequence[Problem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """The refusal as a page; a 401 on a page read sends the reader to sign in."""
        if status == 401 and request.method == "GET":
            return RedirectResponse(sign_in_url(request.url.path), status_code=303)
        page = plain_page(request) if status >= 500 else get_page(request)
        title = TITLES.get(status, TITLES[500])
        return page.render(
            "error.html",
            status=status,
            headers=headers,
            title=title,
            guidance=GUIDANCE.get(status, GUIDANCE[500]),
            status_code=status,
            detail=detail,
            problems=list(problems),
        )
