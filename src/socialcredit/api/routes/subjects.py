"""A subject's own file, access log and notices."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response

from socialcredit.api.deps import Limit, Offset, PartyDep, PlatformDep
from socialcredit.api.models import NO_NUL

router = APIRouter(prefix="/v1/subjects/{subject_id}", tags=["subjects"])

SubjectPath = Annotated[str, Path(min_length=1, max_length=64, pattern=NO_NUL, description="The subject's id.")]


@router.get("/file", summary="The subject's file, explained (the subject; reviewers)")
def file(subject_id: SubjectPath, party: PartyDep, platform: PlatformDep) -> dict[str, Any]:
    """Records in force, each scheme's score, grade, list entries and measures with their explanations, cases,
    notices and the decisions served about the subject. Logged in the subject's access log."""
    return platform.subject_file(party, subject_id)


@router.get("/file/download", summary="The whole file as a JSON download (the subject; reviewers)")
def download(subject_id: SubjectPath, party: PartyDep, platform: PlatformDep) -> Response:
    """Everything in the file plus every record version, every decision's explanation and the access log."""
    content = platform.subject_file(party, subject_id, download=True)
    name = f"socialcredit-file-{content['subject_id']}.json"
    return Response(
        json.dumps(content, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/access-log", summary="Who looked or received a decision, last 24 months (the subject)")
def access_log(
    subject_id: SubjectPath, party: PartyDep, platform: PlatformDep, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """Every party that read the file or received a decision about the subject, newest first."""
    return platform.access_log(party, subject_id, limit=limit, offset=offset)


@router.get("/notices", summary="Notices sent to the subject (the subject)")
def notices(
    subject_id: SubjectPath, party: PartyDep, platform: PlatformDep, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """Listings, adverse changes, objections and repair applications received and decided, newest first."""
    return platform.notices(party, subject_id, limit=limit, offset=offset)
