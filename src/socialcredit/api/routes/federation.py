"""The exchange between platforms (the service interface): channels' tree heads, entries and consistency proofs
for receiving platforms, the heads this platform verified from others (for fork checks), and what it refused.

Answered only when the platform has a federation document (``SOCIALCREDIT_FEDERATION_FILE``), and only to a
party of the role ``platform`` that the channel names as a receiver.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from socialcredit.api.deps import PartyDep
from socialcredit.errors import NotFound
from socialcredit.federation.service import Federation

router = APIRouter(tags=["federation"])


class RoutedTargetIn(BaseModel):
    """What the objection is to: a record (authority, record id) or a list entry (list id, key)."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(pattern=r"^(record|list_entry)$")
    authority: str | None = Field(default=None, max_length=64)
    record_id: str | None = Field(default=None, max_length=128)
    list_id: str | None = Field(default=None, max_length=80)
    key: str | int | None = None


class RoutedCaseIn(BaseModel):
    """An objection filed at another platform, sent to the platform that issued the record."""

    model_config = ConfigDict(extra="forbid")

    reference: str = Field(min_length=1, max_length=40, description="The case's reference where it was filed.")
    subject_id: str = Field(min_length=1, max_length=64)
    scheme: str = Field(min_length=1, max_length=80)
    target: RoutedTargetIn = Field(description="The record or list entry, as this platform names it.")
    statement: str = Field(min_length=1, max_length=4000)
    filed_at: AwareDatetime = Field(description="When the subject filed it: the deadline runs from that day.")
    deadline: date
    filed_on: str = Field(min_length=1, max_length=31, description="The platform where it was filed.")

ChannelName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9-]{0,62}$")]
PlatformId = Annotated[str, Path(pattern=r"^[a-z][a-z0-9-]{0,30}$")]
Size = Annotated[int, Query(ge=0, le=1 << 40)]


def _federation(request: Request) -> Federation:
    federation = getattr(request.app.state, "federation", None)
    if federation is None:
        raise NotFound("this platform is not federated (no federation document)")
    return federation


@router.get("/v1/federation/feeds/{channel}/head", summary="A channel's tree head")
def head(channel: ChannelName, request: Request, party: PartyDep) -> dict[str, Any]:
    """Platform, channel, tree size, root hash (RFC 6962) and timestamp, after publishing what was written."""
    return _federation(request).head(party, channel)


@router.get("/v1/federation/feeds/{channel}/entries", summary="A page of a channel's entries")
def entries(channel: ChannelName, request: Request, party: PartyDep, start: Size = 0, end: Size = 0) -> dict[str, Any]:
    """Leaves ``start`` to ``end`` (exclusive, at most 2,000), each its seq and canonical payload."""
    return _federation(request).entries(party, channel, start, end)


@router.get("/v1/federation/feeds/{channel}/consistency", summary="A consistency proof between two tree sizes")
def consistency(channel: ChannelName, request: Request, party: PartyDep, first: Size, second: Size) -> dict[str, Any]:
    """The RFC 6962 proof that the tree of ``first`` leaves is a prefix of the tree of ``second``."""
    return _federation(request).consistency(party, channel, first, second)


@router.get("/v1/federation/peers/{peer}/{channel}/head", summary="The head this platform verified from a peer")
def seen(peer: PlatformId, channel: ChannelName, request: Request, party: PartyDep) -> dict[str, Any]:
    """For a fellow receiver to compare with its own view: two views that no proof joins are a fork."""
    return _federation(request).seen(party, peer, channel)


@router.get("/v1/federation/refusals", summary="What this platform refused of the asking platform's feeds")
def refusals(request: Request, party: PartyDep) -> dict[str, Any]:
    """Each refused leaf: channel, seq, record and why."""
    return _federation(request).refusals(party)


@router.get("/v1/federation/status", summary="Each link to another platform: how much, how fresh, quarantined")
def status(request: Request, party: PartyDep) -> dict[str, Any]:
    """For the operator: per peer and channel, the leaves held, the status (and why a feed is quarantined), the
    last success, how stale by this platform's clock, and the last error."""
    return _federation(request).status_for(party)


@router.post("/v1/federation/cases", status_code=201, summary="File a case another platform sends")
def file_case(body: RoutedCaseIn, request: Request, party: PartyDep) -> dict[str, Any]:
    """An objection a subject filed at the sending platform about a record this platform issued: filed here with
    the filing's instant and deadline, for this platform's reviewers. Sending it again files nothing new."""
    return _federation(request).accept_case(party, body.model_dump(mode="json", exclude_none=True))


@router.get("/v1/federation/cases/{reference}", summary="Where a case the asking platform sent stands here")
def case_outcome(reference: Annotated[str, Path(max_length=40)], request: Request, party: PartyDep) -> dict[str, Any]:
    """Status, deadline, decision, reasons and correction of a case, by the sending platform's reference."""
    return _federation(request).case_outcome(party, reference)
