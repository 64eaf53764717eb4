"""Portal pages: a service provider (a ticket seller, a procurement portal, a bank). It asks whether a subject may
do one of its actions and learns the decision, the reason codes and the reference to give the person: never the
file. A refusal says plainly that the person can see why by signing in with the reference."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from socialcredit.errors import InputError, Problem
from socialcredit.service.deciding import Query
from socialcredit.service.parties import Party, Role
from socialcredit.web.pages import FormDep, Page, PageDep

router = APIRouter()

MAX_SUBJECT = 64


def provider(page: Page) -> Party:
    """The signed-in provider (the public is sent to sign in; other roles are refused, logged)."""
    return page.require(Role.PROVIDER)


@router.get("/provider")
def provider_home(page: PageDep) -> Response:
    """Ask for a decision: a subject and one of the provider's actions."""
    party = provider(page)
    return page.render("provider/home.html", actions=list(party.actions))


def posted_text(form: dict[str, Any], name: str, limit: int) -> str:
    """A required posted text field: bounded, no control characters, valid Unicode; InputError names it."""
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    reason = None
    if not text:
        reason = "required"
    elif len(text) > limit:
        reason = f"at most {limit} characters"
    elif any(ord(c) < 32 for c in text):
        reason = "no NUL or other control characters"
    else:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            reason = "invalid text: not valid Unicode (a lone surrogate is not a character)"
    if reason:
        raise InputError([Problem(reason, name, text[:80].encode("utf-8", "replace").decode("utf-8"))])
    return text


@router.post("/provider/decide")
def decide(page: PageDep, form: FormDep) -> Response:
    """The decision on one query (the service checks the action is the provider's), shown on its own page."""
    party = provider(page)
    subject_id = posted_text(form, "subject_id", MAX_SUBJECT)
    action = posted_text(form, "action", 128)
    (answer,) = page.platform.decide(party, [Query(subject_id, action)])
    return page.redirect(f"/provider/decisions/{answer['reference']}")


@router.get("/provider/decisions/{reference}")
def decision(page: PageDep, reference: str) -> Response:
    """A decision served to this provider, as it was served: decision, reason codes, reference."""
    party = provider(page)
    served = page.platform.provider_views.served(party, reference)
    return page.render("provider/decision.html", decision=served, actions=list(party.actions))
