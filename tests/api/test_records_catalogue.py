"""``POST /v1/records`` refuses a batch with a record the catalogue of record types does not allow, naming the row."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import ACME, ALICE, World


def _listing(world: World, **changes: Any) -> dict[str, Any]:
    return {**world.listing(ALICE, "(2026)鲁1082执1号"), **changes}


CASES = [
    # (submitting party, changes to a good listing, refused field, what the reason says)
    ("court", {"type": "court.x", "attributes": {}}, "type", "not a record type of catalogue"),
    ("court", {"type": "traffic.violation", "attributes": {}}, "type", "may not issue"),
    ("court", {"attributes": {"case_no": "C1"}}, "attributes.ground", "requires ground"),
    ("court", {"attributes": {"case_no": "C1", "ground": "one"}}, "attributes.ground", "must be a whole number"),
    ("court", {"attributes": {"case_no": "C1", "ground": 1, "judge": "Li"}}, "attributes.judge", "has no attribute"),
    ("registry", {"type": "registry.registered", "attributes": {}}, "subject_id", "about organizations only"),
]


@pytest.mark.parametrize(("who", "changes", "field", "says"), CASES)
def test_a_batch_with_a_record_the_catalogue_does_not_allow_is_422_naming_the_row(
    world: World, who: str, changes: dict[str, Any], field: str, says: str
) -> None:
    good = (
        world.listing(ACME, "C0")
        if who == "court"
        else {
            "record_id": "REG-1",
            "subject_id": ACME,
            "type": "registry.registered",
            "occurred_at": "2025-01-01",
            "attributes": {"name": "ACME Ltd"},
        }
    )
    body = world.submit(who, good, _listing(world, **changes), status=422)
    (problem,) = body["problems"]
    assert (problem["file"], problem["row"], problem["field"]) == ("test", 2, field)
    assert says in problem["reason"]
    assert world.store.count_records() == 0
