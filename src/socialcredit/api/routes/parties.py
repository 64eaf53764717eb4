"""The asking party, its notices, and the operator's views."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from socialcredit.api.deps import Limit, Offset, PartyDep, PlatformDep
from socialcredit.service.parties import party_summary

router = APIRouter(tags=["parties"])


@router.get("/v1/me", summary="Who the token belongs to")
def me(party: PartyDep) -> dict[str, Any]:
    """The party, its role and what it is bound to (the public without a token)."""
    return party_summary([party])[0]


@router.get("/v1/notices", summary="Notices addressed to the asking party")
def notices(party: PartyDep, platform: PlatformDep, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    """E.g. a service provider told that a decision it received rested on a record since corrected."""
    return platform.party_notices(party, limit=limit, offset=offset)


@router.get("/v1/operator/refusals", summary="Refused requests (operator)")
def refusals(party: PartyDep, platform: PlatformDep, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    """Every refused request, newest first."""
    return platform.refusals(party, limit=limit, offset=offset)


@router.post("/v1/operator/notices/dispatch", summary="Send the outbox (operator)")
def dispatch(party: PartyDep, platform: PlatformDep) -> dict[str, Any]:
    """Deliver unsent notices with the configured sender."""
    return platform.dispatch_notices(party)
