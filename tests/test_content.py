"""The content hash: the attributes' text spliced into the rest is the canonical JSON of the whole content."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.content import canonical_content, content_hash, hashed_content
from socialcredit.records import Record

TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
SCALARS = st.one_of(TEXT, st.booleans(), st.integers(-(2**53), 2**53), st.floats(allow_nan=False, allow_infinity=False))
RECORDS = st.builds(
    Record,
    record_id=TEXT,
    subject_id=TEXT,
    type=TEXT,
    occurred_at=st.dates(min_value=date(1, 1, 1)),
    attributes=st.dictionaries(TEXT, SCALARS, max_size=5),
    authority=TEXT,
    legal_basis=st.none() | TEXT,
    source_ref=st.none() | TEXT,
    supersedes=st.none() | TEXT,
    revoked=st.booleans(),
)


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


@settings(max_examples=400, deadline=None)
@given(RECORDS)
def test_the_spliced_text_hashes_as_the_whole_canonical_content(record: Record) -> None:
    content = canonical_content(record)
    digest, attributes, exact = hashed_content(record)
    assert digest == content_hash(record) == hashlib.sha256(canonical(content).encode()).hexdigest()
    assert attributes == canonical(content["attributes"])
    assert json.loads(attributes) == content["attributes"]
    assert exact == all(type(json.loads(attributes)[k]) is type(v) for k, v in record.attributes.items())


def test_a_whole_float_and_its_int_hash_alike() -> None:
    base = {"record_id": "r", "subject_id": "s", "type": "t.t", "occurred_at": date(2024, 1, 1)}
    assert content_hash(Record(**base, attributes={"a": 5.0})) == content_hash(Record(**base, attributes={"a": 5}))
    assert content_hash(Record(**base, attributes={"a": 5.5})) != content_hash(Record(**base, attributes={"a": 5}))
