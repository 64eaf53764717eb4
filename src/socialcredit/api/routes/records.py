"""Records: an authority's batch submission."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from socialcredit.api.deps import PartyDep, PlatformDep
from socialcredit.api.models import RecordBatch

router = APIRouter(prefix="/v1/records", tags=["records"])


@router.post("", summary="Submit a batch of records (authority)")
def submit(batch: RecordBatch, party: PartyDep, platform: PlatformDep) -> dict[str, Any]:
    """Up to 10,000 records, all or nothing, idempotent by record id. Each record must be one the catalogue of
    record types allows (its type listed, its subject of a kind the type is about, its attributes as declared),
    its type within the authority's competences and its subject within its jurisdiction; a refusal (422) lists
    every problem by row and field. A record that puts a subject on a black list returns the listing as a
    decision document and sends the subject a notice."""
    return platform.submit_records(party, [r.to_record() for r in batch.records], source=batch.source)
