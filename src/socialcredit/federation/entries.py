"""A shared record as a feed leaf: canonical bytes, with its origin (platform, authority, record id).

A leaf of a channel's tree is the RFC 6962 leaf hash of these bytes. They are canonical JSON (keys sorted, no
spaces, UTF-8), so that every platform that holds the entry computes the same hash from it, and a receiver
can hand the exact bytes it received on to another platform. Decoding checks every field and refuses what is
not an entry with :class:`~socialcredit.errors.FederationError` naming the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from socialcredit.audit.merkle import leaf_hash
from socialcredit.authorities import ORIGIN_SEPARATOR, Authority
from socialcredit.content import canonical_content
from socialcredit.errors import FederationError
from socialcredit.records import Record

FORMAT = 1
"""The entry format's version, written in every entry."""



@dataclass(frozen=True, slots=True)
class SharedRecord:
    """One record version as shared between platforms."""

    platform: str
    """The platform whose authority issued the record (its origin), whoever relays it."""
    authority: Authority
    """The issuing authority as the origin registers it (its own code, not prefixed)."""
    record: Record
    """The record, with ``authority`` the authority's own code."""

    @property
    def stored_authority(self) -> str:
        """The code a receiving platform stores the authority under: ``<platform>/<code>``."""
        return f"{self.platform}{ORIGIN_SEPARATOR}{self.authority.code}"


def origin_of(stored_code: str, own_platform: str) -> tuple[str, str]:
    """(origin platform, authority code) of an authority code as stored on ``own_platform``."""
    platform, separator, code = stored_code.partition(ORIGIN_SEPARATOR)
    return (platform, code) if separator else (own_platform, stored_code)


def encode(shared: SharedRecord) -> bytes:
    """The entry's canonical bytes."""
    authority = shared.authority
    body = {
        "format": FORMAT,
        "platform": shared.platform,
        "authority": {
            "code": authority.code,
            "name": authority.name,
            "jurisdiction": authority.jurisdiction,
            "competences": list(authority.competences),
        },
        "record": canonical_content(shared.record),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def entry_hash(payload: bytes) -> bytes:
    """The RFC 6962 leaf hash of an entry's bytes."""
    return leaf_hash(payload)


def decode(payload: bytes) -> SharedRecord:
    """The shared record in ``payload``; FederationError naming the field when it is not an entry."""
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FederationError(f"an entry is not UTF-8 JSON: {exc}") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise FederationError(f"an entry is not of format {FORMAT}")
    authority = _mapping(body, "authority")
    content = _mapping(body, "record")
    try:
        record = Record(
            record_id=_text(content, "record_id"),
            subject_id=_text(content, "subject_id"),
            type=_text(content, "type"),
            occurred_at=date.fromisoformat(_text(content, "occurred_at")),
            attributes=_attributes(content.get("attributes")),
            authority=_text(authority, "code"),
            legal_basis=_optional_text(content, "legal_basis"),
            source_ref=_optional_text(content, "source_ref"),
            supersedes=_optional_text(content, "supersedes"),
            revoked=_flag(content, "revoked"),
        )
        issuer = Authority(
            code=_text(authority, "code"),
            name=_text(authority, "name"),
            jurisdiction=_text(authority, "jurisdiction"),
            competences=tuple(_texts(authority, "competences")),
        )
    except ValueError as exc:
        raise FederationError(f"an entry's record is malformed: {exc}") from None
    if not (len(issuer.jurisdiction) == 6 and issuer.jurisdiction.isdigit()):
        raise FederationError("an entry's authority.jurisdiction is not a six-digit division code")
    if ORIGIN_SEPARATOR in issuer.code:
        raise FederationError("an entry's authority.code holds the origin separator '/'")
    return SharedRecord(platform=_text(body, "platform"), authority=issuer, record=record)


def _mapping(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if not isinstance(value, dict):
        raise FederationError(f"an entry's {name} is not an object")
    return value


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise FederationError(f"an entry's {name} is not a non-empty text")
    return value


def _optional_text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise FederationError(f"an entry's {name} is not a text")
    return value


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if not isinstance(value, bool):
        raise FederationError(f"an entry's {name} is not true or false")
    return value


def _texts(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FederationError(f"an entry's {name} is not a list of texts")
    return value


def _attributes(value: Any) -> dict[str, str | int | float | bool]:
    if not isinstance(value, dict):
        raise FederationError("an entry's attributes is not an object")
    for key, item in value.items():
        if not isinstance(item, str | int | float | bool):
            raise FederationError(f"an entry's attribute {key!r} is not text, a number or a boolean")
    return value
