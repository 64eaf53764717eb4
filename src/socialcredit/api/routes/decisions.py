"""Decisions for service providers, and their explanations for subjects."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from socialcredit.api.deps import PartyDep, PlatformDep
from socialcredit.api.models import DecisionRequest, QueryIn, Reference

router = APIRouter(tags=["decisions"])


@router.post("/v1/decisions", summary="Decide up to 10,000 queries (service provider)")
def decide_many(body: DecisionRequest, party: PartyDep, platform: PlatformDep) -> dict[str, Any]:
    """Each answer: allow / deny / review / priority, reason codes and a reference the subject can look up.
    Never the file. Each decision is recorded in the subject's access log."""
    return {"decisions": platform.decide(party, [q.to_query() for q in body.queries])}


@router.post("/v1/decisions/one", summary="Decide one query (service provider)")
def decide_one(body: QueryIn, party: PartyDep, platform: PlatformDep) -> dict[str, Any]:
    """One query; the same answer as one item of a batch."""
    return platform.decide(party, [body.to_query()])[0]


@router.get("/v1/explanations/{reference}", summary="The full explanation of a decision (its subject)")
def explanation(
    reference: Annotated[Reference, Path(description="The reference a decision carried, e.g. D-1A2B...")],
    party: PartyDep,
    platform: PlatformDep,
) -> dict[str, Any]:
    """The measures, list entries, grades, records, rules and legal bases behind a decision, and how to object."""
    return platform.explanation(party, reference)
