"""Portal pages: a service provider (a ticket seller, a procurement portal, a bank). It asks whether a subject may
do one of its actions and learns the decision, the reason codes and the reference to give the person: never the
file. A refusal says plainly that the person can see why by signing in with the reference."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from socialcredit.service.deciding import Query
from socialcredit.service.parties import Party, Role
from socialcredit.web.forms import posted_text
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


@router.post("/provider/decide")
def decide(page: PageDep, form: FormDep) -> Response:
    """The decision on one query (the service checks the action is the provider's), shown on its own page."""
    party = provider(page)
    subject_id = posted_text(form, "subject_id", limit=MAX_SUBJECT, required=True, multiline=False)
    action = posted_text(form, "action", limit=128, required=True, multiline=False)
    (answer,) = page.platform.decide(party, [Query(subject_id, action)])
    return page.redirect(f"/provider/decisions/{answer['reference']}")


@router.get("/provider/decisions/{reference}")
def decision(page: PageDep, reference: str) -> Response:
    """A decision served to this provider, as it was served: decision, reason codes, reference."""
    party = provider(page)
    served = page.platform.provider_views.served(party, reference)
    return page.render("provider/decision.html", decision=served, actions=list(party.actions))
