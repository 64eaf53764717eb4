"""Due process: objections, repair applications, reviewers' decisions, tracking."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from socialcredit.api.deps import DueProcessDep, Limit, Offset, PartyDep
from socialcredit.api.models import CaseDecisionIn, ObjectionIn, Reference, RepairIn

router = APIRouter(tags=["due process"])

CasePath = Annotated[Reference, Path(description="A case reference, e.g. OBJ-1A2B3C4D5E.")]


@router.post("/v1/objections", status_code=201, summary="Object to a record, a list entry or a score (subject)")
def object_(body: ObjectionIn, party: PartyDep, due: DueProcessDep) -> dict[str, Any]:
    """The item is marked disputed at once; a reviewer decides by the deadline returned, or the item is
    suspended from use until decided."""
    return due.object(party, scheme=body.scheme, target=body.target.model_dump(exclude_none=True),
                      statement=body.statement)


@router.post("/v1/repairs", status_code=201, summary="Apply for credit repair of a list entry (subject)")
def repair(body: RepairIn, party: PartyDep, due: DueProcessDep) -> dict[str, Any]:
    """Once the minimum period has passed, the obligation is performed and a commitment is made; decided
    within the working days returned."""
    return due.apply_for_repair(
        party,
        scheme=body.scheme,
        list_id=body.list_id,
        key=body.key,
        obligation_performed=body.obligation_performed,
        commitment=body.commitment,
        statement=body.statement,
    )


@router.get("/v1/cases", summary="Cases: the subject's own, or all (reviewer)")
def cases(
    party: PartyDep,
    due: DueProcessDep,
    status: Annotated[Literal["open", "upheld", "rejected", "granted", "refused"] | None, Query()] = None,
    kind: Annotated[Literal["objection", "repair"] | None, Query()] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """By deadline; each with reference, deadline, status and history."""
    return due.cases(party, status=status, kind=kind, limit=limit, offset=offset)


@router.get("/v1/cases/{reference}", summary="Track one case (its subject; reviewers)")
def case(reference: CasePath, party: PartyDep, due: DueProcessDep) -> dict[str, Any]:
    """Reference, deadline, status and every step so far."""
    return due.case(party, reference)


@router.post("/v1/cases/{reference}/decision", summary="Decide a case with reasons (reviewer)")
def decide(reference: CasePath, body: CaseDecisionIn, party: PartyDep, due: DueProcessDep) -> dict[str, Any]:
    """An upheld objection corrects by a new record version and notifies every party that received a decision
    relying on the old one; a granted repair ends the entry and its publication."""
    return due.decide(
        party, reference, outcome=body.outcome, reasons=body.reasons, corrected_attributes=body.corrected_attributes
    )
