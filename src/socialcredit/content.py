"""A record's content as canonical JSON, its hash, and a readable account of how two versions differ.

The content hash is what makes ingestion idempotent: the same (authority, record id) submitted again with
the same content hash is unchanged; with a different one it is a conflict. ``recorded_at`` is not content: it
is when the platform learned the record, assigned by the store.

Pure (part of the core): the store computes the hash when it writes a record, and the audit log recomputes it
from the stored row when it verifies, so it lives below both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from socialcredit.records import Record, Scalar


def _canonical_scalar(value: Scalar) -> Scalar:
    # 5 and 5.0 are the same number (and equal in Python); give them one spelling.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical_content(record: Record) -> dict[str, object]:
    """The record's content as a plain JSON-ready dict (everything except ``recorded_at``)."""
    return {
        "authority": record.authority,
        "record_id": record.record_id,
        "subject_id": record.subject_id,
        "type": record.type,
        "occurred_at": record.occurred_at.isoformat(),
        "attributes": {key: _canonical_scalar(value) for key, value in sorted(record.attributes.items())},
        "legal_basis": record.legal_basis,
        "source_ref": record.source_ref,
        "supersedes": record.supersedes,
        "revoked": record.revoked,
    }


_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def content_hash(record: Record) -> str:
    """SHA-256 (hex) of the canonical JSON of the record's content."""
    return hashed_content(record)[0]


def hashed_content(record: Record) -> tuple[str, str, bool]:
    """(:func:`content_hash`, the canonical JSON of the record's attributes alone, whether that text spells every
    attribute as given: a whole float such as 5.0 is written 5).

    The store keeps the attributes as that text, so a record's attributes are encoded once: ``"attributes"``
    sorts first among the content's keys, so the canonical JSON of the content is the attributes' text
    spliced in front of the canonical JSON of the rest (``tests/test_content.py`` holds it to the whole).
    """
    given = record.attributes
    exact = not any(isinstance(value, float) and value.is_integer() for value in given.values())
    attributes = _ENCODE(dict(given) if exact else {key: _canonical_scalar(value) for key, value in given.items()})
    rest = _ENCODE(
        {
            "authority": record.authority,
            "record_id": record.record_id,
            "subject_id": record.subject_id,
            "type": record.type,
            "occurred_at": record.occurred_at.isoformat(),
            "legal_basis": record.legal_basis,
            "source_ref": record.source_ref,
            "supersedes": record.supersedes,
            "revoked": record.revoked,
        }
    )
    text = f'{{"attributes":{attributes},{rest[1:]}'
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), attributes, exact


def differences(stored: Record, submitted: Record) -> list[str]:
    """What differs between two versions of one record, one phrase per field (attributes one per key)."""
    old, new = canonical_content(stored), canonical_content(submitted)
    out: list[str] = []
    for name in old:
        if name == "attributes":
            continue
        if old[name] != new[name]:
            out.append(f"{name}: stored {old[name]!r}, submitted {new[name]!r}")
    old_attrs = old["attributes"]
    new_attrs = new["attributes"]
    assert isinstance(old_attrs, Mapping) and isinstance(new_attrs, Mapping)
    for key in sorted(set(old_attrs) | set(new_attrs)):
        if key not in new_attrs:
            out.append(f"attribute {key!r}: stored {old_attrs[key]!r}, absent in the submission")
        elif key not in old_attrs:
            out.append(f"attribute {key!r}: absent in the stored version, submitted {new_attrs[key]!r}")
        elif old_attrs[key] != new_attrs[key] or type(old_attrs[key]) is not type(new_attrs[key]):
            out.append(f"attribute {key!r}: stored {old_attrs[key]!r}, submitted {new_attrs[key]!r}")
    return out
