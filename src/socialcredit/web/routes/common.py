"""The pages every reader shares: the front page, the language switch, signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from socialcredit.errors import TooManyRequests
from socialcredit.service.parties import Unauthenticated, authenticate
from socialcredit.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from socialcredit.web.pages import HOME_OF_ROLE, FormDep, PageDep
from socialcredit.web.session import MAX_TOKEN_LENGTH, SESSION_COOKIE, client_address, new_csrf, safe_next

router = APIRouter()

Next = Annotated[str | None, Query(max_length=500)]


@router.get("/")
def home(page: PageDep) -> Response:
    """The front page: search, the published lists and schemes, and the ways in."""
    platform = page.platform
    return page.render("home.html", lists=platform.public_lists(), schemes=platform.public.schemes())


@router.get("/language")
def language(page: PageDep, to: Annotated[str, Query(max_length=10)] = "", next: Next = None) -> Response:
    """Switch the portal's language and come back to the same page."""
    if to in LANGUAGES:
        page.cookies[LANGUAGE_COOKIE] = to
    return page.redirect(safe_next(next))


@router.get("/sign-in")
def sign_in_form(page: PageDep, next: Next = None) -> Response:
    """Sign in with a party's token."""
    return page.render("sign_in.html", next=safe_next(next, ""), error=None)


@router.post("/sign-in")
def sign_in(page: PageDep, form: FormDep) -> Response:
    """Check the token (attempts limited per address), keep it in the session cookie, go on."""
    portal = page.portal
    token = form.get("token")
    target = safe_next(form.get("next") if isinstance(form.get("next"), str) else None, "")
    try:
        portal.sign_ins.take(client_address(page.request))
    except TooManyRequests as exc:
        portal.platform.log_refusal(page.party, "portal.sign_in", str(exc))
        raise
    if not isinstance(token, str) or not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        return page.render("sign_in.html", status=422, next=target, error="empty")
    try:
        party = authenticate(portal.platform.store, token.strip())
    except Unauthenticated as exc:
        portal.platform.log_refusal(page.party, "portal.sign_in", f"portal sign-in: {exc}")
        return page.render("sign_in.html", status=401, next=target, error="unknown")
    page.cookies[SESSION_COOKIE] = token.strip()
    page.csrf, page.set_csrf = new_csrf(), True  # a new form value for the new session
    return page.redirect(target or HOME_OF_ROLE[party.role])


@router.post("/sign-out")
def sign_out(page: PageDep, form: FormDep) -> Response:
    """Forget the session."""
    page.cookies[SESSION_COOKIE] = ""
    return page.redirect("/")
