"""What every page handler works with: the platform, the reader (the party signed in, or the public), the page's
language and its CSRF value; and rendering a template into a response with the cookies the page owes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from socialcredit.service.due_process import DueProcess
from socialcredit.service.parties import ANONYMOUS, Party, PermissionDenied, Role, Unauthenticated, authenticate
from socialcredit.service.platform import Platform
from socialcredit.service.rate_limits import RateLimiter
from socialcredit.web import charts
from socialcredit.web.i18n import LANGUAGE_COOKIE, LANGUAGES, Language, negotiate
from socialcredit.web.session import (
    CSRF_COOKIE,
    CSRF_FIELD,
    MAX_TOKEN_LENGTH,
    SESSION_COOKIE,
    clear_cookie,
    csrf_matches,
    new_csrf,
    set_cookie,
    sign_in_url,
)
from socialcredit.web.templating import environment

HOME_OF_ROLE: dict[Role, str] = {
    Role.SUBJECT: "/me",
    Role.REVIEWER: "/review",
    Role.AUTHORITY: "/authority",
    Role.OPERATOR: "/operator",
    Role.PROVIDER: "/provider",
    Role.PUBLIC: "/",
    Role.PLATFORM: "/",
}
"""Where a party lands after signing in."""


@dataclass
class Portal:
    """The portal's state, built once with the application."""

    platform: Platform
    due: DueProcess
    sign_ins: RateLimiter


def get_portal(request: Request) -> Portal:
    """The portal installed on the application."""
    return request.app.state.portal


@dataclass
class Page:
    """One request to a portal page."""

    request: Request
    portal: Portal
    party: Party
    language: Language
    csrf: str
    set_csrf: bool = False
    clear_session: bool = False
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def platform(self) -> Platform:
        """The service layer."""
        return self.portal.platform

    @property
    def due(self) -> DueProcess:
        """Objections, repair, cases and figures."""
        return self.portal.due

    @property
    def signed_in(self) -> bool:
        """Whether a party (not the public) is signed in."""
        return self.party is not ANONYMOUS

    def require(self, *roles: Role) -> Party:
        """The signed-in party, if it has one of ``roles``: the public is sent to sign in (401), another role is
        refused (403, logged)."""
        if not self.signed_in:
            raise Unauthenticated("sign in to see this page")
        if self.party.role not in roles:
            detail = f"{self.request.url.path} is for {', '.join(r.value for r in roles)}"
            self.platform.log_refusal(self.party, "page.read", detail)
            raise PermissionDenied(f"this page is for {' or '.join(r.value for r in roles)} accounts")
        return self.party

    def url(self, path: str, **query: Any) -> str:
        """``path`` with a query string of the values given that are not None."""
        items = {k: v for k, v in query.items() if v is not None and v != ""}
        return f"{path}?{urlencode(items)}" if items else path

    def context(self, extra: Mapping[str, Any]) -> dict[str, Any]:
        """What every template sees, and the page's own values."""
        language = self.language
        return {
            "page": self,
            "party": self.party,
            "signed_in": self.signed_in,
            "home": HOME_OF_ROLE[self.party.role],
            "lang": language,
            "languages": LANGUAGES,
            "csrf_field": CSRF_FIELD,
            "csrf": self.csrf,
            "path": self.request.url.path,
            "here": str(self.request.url.path) + (f"?{self.request.url.query}" if self.request.url.query else ""),
            "day": language.day,
            "moment": language.moment,
            "number": language.number,
            "charts": charts,
            **extra,
        }

    def render(
        self, template: str, status: int = 200, headers: Mapping[str, str] | None = None, **extra: Any
    ) -> Response:
        """``template`` rendered in the page's language, with the cookies the page owes."""
        html = environment(self.language.code).get_template(template).render(self.context(extra))
        return self.finish(HTMLResponse(html, status_code=status, headers=dict(headers or {})))

    def redirect(self, target: str) -> Response:
        """See another page (303: a form was posted)."""
        return self.finish(RedirectResponse(target, status_code=303))

    def finish(self, response: Response) -> Response:
        """``response`` with the cookies the page owes: a new CSRF value, a session to clear, others set."""
        if self.set_csrf:
            set_cookie(response, self.request, CSRF_COOKIE, self.csrf)
        if self.clear_session:
            clear_cookie(response, self.request, SESSION_COOKIE)
        for name, value in self.cookies.items():
            if value:
                set_cookie(response, self.request, name, value)
            else:
                clear_cookie(response, self.request, name)
        return response


def reader(request: Request, portal: Portal) -> tuple[Party, bool]:
    """The party whose session cookie the request carries (the public without one); and whether a cookie that
    no longer signs anyone in (a revoked token) must be cleared. Such a cookie is logged as a refusal."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return ANONYMOUS, False
    if len(token) > MAX_TOKEN_LENGTH:
        return ANONYMOUS, True
    try:
        return authenticate(portal.platform.store, token), False
    except Unauthenticated as exc:
        portal.platform.log_refusal(ANONYMOUS, "authenticate", f"portal {request.url.path}: {exc}")
        return ANONYMOUS, True


def language_of(request: Request) -> Language:
    """The page's language: the switch's choice, else Accept-Language, else Chinese."""
    return Language(negotiate(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")))


def get_page(request: Request) -> Page:
    """The page dependency: who reads, in which language, with which CSRF value."""
    portal = get_portal(request)
    party, stale = reader(request, portal)
    csrf = request.cookies.get(CSRF_COOKIE)
    page = Page(
        request=request,
        portal=portal,
        party=party,
        language=language_of(request),
        csrf=csrf or new_csrf(),
        set_csrf=not csrf or len(csrf) > 100,
        clear_session=stale,
    )
    return page


def plain_page(request: Request) -> Page:
    """A page for the public that reads nothing from the store: for showing that the store failed."""
    csrf = request.cookies.get(CSRF_COOKIE)
    return Page(
        request=request,
        portal=get_portal(request),
        party=ANONYMOUS,
        language=language_of(request),
        csrf=csrf or new_csrf(),
        set_csrf=not csrf or len(csrf) > 100,
    )


async def posted_form(request: Request) -> dict[str, Any]:
    """A posted form's fields (files as uploads), once its CSRF value has been checked: a form without the
    reader's own value is refused (403, logged)."""
    form = await request.form(max_files=4, max_fields=200)
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), _text(form.get(CSRF_FIELD))):
        portal = get_portal(request)
        party, _ = reader(request, portal)
        portal.platform.log_refusal(party, "form.csrf", f"{request.method} {request.url.path}: no matching CSRF value")
        raise PermissionDenied(
            "this form has expired or did not come from this site; open the page again and send it from there"
        )
    return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key) for key in form}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def signed_in_url(page: Page) -> str:
    """Where the public is sent from this page to sign in."""
    return sign_in_url(page.request.url.path)


PageDep = Annotated[Page, Depends(get_page)]
FormDep = Annotated[dict[str, Any], Depends(posted_form)]
