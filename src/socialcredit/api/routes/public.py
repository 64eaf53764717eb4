"""What anyone may see: published lists (numbers masked), the lookup of a full number, figures, schemes and their
rights audits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from socialcredit.api.deps import DueProcessDep, Limit, Offset, PartyDep, PlatformDep
from socialcredit.api.models import AuditOut, LookupIn, Name, SchemesOut
from socialcredit.service.parties import ANONYMOUS

router = APIRouter(tags=["public"])


@router.get("/v1/schemes", summary="The schemes in operation, each with its rights audit")
def schemes(platform: PlatformDep) -> SchemesOut:
    """Name, version, title, objection route and repair deadline of each scheme in operation, and its rights
    audit (the warnings it operates with; a scheme with an audit error is never put into operation)."""
    return SchemesOut.model_validate({"schemes": platform.public.schemes()})


@router.get("/v1/schemes/{name}/audit", summary="The rights audit of a scheme in operation")
def scheme_audit(name: Annotated[Name, Path()], platform: PlatformDep) -> AuditOut:
    """Every finding, with its severity, field, reason and the rule it rests on, against the catalogue and list
    of measures versions named; made once, when the platform started."""
    return AuditOut.model_validate(platform.public.audit(name))


@router.get("/v1/public/lists", summary="The published lists")
def lists(platform: PlatformDep) -> dict[str, Any]:
    """Lists a scheme marks public."""
    return {"lists": platform.public_lists()}


@router.get("/v1/public/lists/{list_id}/entries", summary="Active entries of a published list")
def entries(
    list_id: Annotated[Name, Path()],
    platform: PlatformDep,
    region: Annotated[
        str | None, Query(pattern=r"^\d{6}$", description="A division code: 370000, 371000, 371082")
    ] = None,
    authority: Annotated[str | None, Query(max_length=64, description="The issuing authority's code")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Personal identity numbers show the division only (371082************), with sex and age; organizations'
    codes are shown in full, with the name where the platform holds one. Filter by region (a province, city or
    county code: entries of subjects whose identifier carries a division within it) and by issuing authority;
    ``choices`` lists the regions and authorities the list's entries have, with counts."""
    return platform.public_entries(list_id, region=region, authority=authority, limit=limit, offset=offset)


@router.get("/v1/public/publications", summary="The penalty and licensing notices that are published")
def publications(platform: PlatformDep) -> dict[str, Any]:
    """Each publication, its severity and how long a notice stays published (bounded by law)."""
    return {"publications": platform.public_publications()}


@router.get("/v1/public/publications/{publication_id}/notices", summary="Notices published today")
def notices(
    publication_id: Annotated[Name, Path()], platform: PlatformDep, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """Newest first, identity numbers masked; each notice is taken down at the end of its period."""
    return platform.public_notices(publication_id, limit=limit, offset=offset)


@router.post("/v1/public/lookup", summary="Is this full identifier on a published list?")
def lookup(body: LookupIn, request: Request, party: PartyDep, platform: PlatformDep) -> dict[str, Any]:
    """For someone who holds a full number, and the name: where the platform holds the person's name, an entry
    is found only with it. Sent in the body, not the URL. Rate-limited per client (429 with Retry-After). A
    lookup that finds a listed person is counted in that person's access log."""
    client = (
        f"party:{party.code}" if party is not ANONYMOUS else f"address:{request.client.host if request.client else '-'}"
    )
    return platform.public_lookup(party, body.subject_id, name=body.name, client=client)


@router.get("/v1/transparency", summary="Published figures per list and period")
def transparency(
    due: DueProcessDep,
    period: Annotated[str, Query(min_length=4, max_length=7, pattern=r"^\d{4}(-\d{2})?$")],
) -> dict[str, Any]:
    """Entries made, objections filed and upheld, corrections, repairs applied and granted, median days to
    decide, for a year (2026) or a month (2026-06)."""
    return due.figures(period)
