"""Who names whom through a scheme's link (:mod:`socialcredit.service.links`): by the link's index for a few
subjects, from a map kept between reads (and read again after any write of records) otherwise; either way a new
legal representative is restricted at the very next file read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from socialcredit.authorities import Authority
from socialcredit.service.links import BY_INDEX
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, Role, add_party
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings
from socialcredit.store import Store
from tests.factories import organization, person, record

COURT = Party("court", Role.AUTHORITY, "court clerk", authority="RC-COURT")
REGISTRY = Party("registry", Role.AUTHORITY, "registry clerk", authority="RC-SAMR")
ACME, HAIDA = organization(1), organization(2)
ANN, BEN = person(1), person(2)
LINK = ("registry.legal_representative", "person_id")
MEASURE = "legal-representative-consumption"


@pytest.fixture
def platform(store: Store, tmp_path: Path) -> Platform:
    store.add_authority(Authority("RC-COURT", "court", "371082", ("court.*",)))
    store.add_authority(Authority("RC-SAMR", "registry", "371082", ("registry.*",)))
    for party in (COURT, REGISTRY):
        add_party(store, party)
    now = datetime(2026, 6, 30, 2, tzinfo=UTC)
    p = Platform(store, Settings(data_dir=tmp_path), clock=lambda: now, sender=MemorySender())
    p.submit_records(
        COURT,
        [
            record(ACME, "court.dishonest_listing", "2026-06-01", case_no="A1", ground=1),
            record(HAIDA, "court.dishonest_listing", "2026-06-01", case_no="H1", ground=1),
        ],
        source="t",
    )
    p.submit_records(REGISTRY, [record(ACME, "registry.legal_representative", "2019-03-01", person_id=ANN)], source="t")
    return p


def restricted(platform: Platform, subject: str) -> bool:
    """Whether the subject's own file shows the legal representative's restriction under judgment-debtors."""
    add_party(platform.context.store, reader := Party(f"s-{subject}", Role.SUBJECT, "subject", subject_id=subject))
    file = platform.subject_file(reader, subject)
    (result,) = [r for r in file["schemes"] if r["scheme"].startswith("judgment-debtors@")]
    return any(m["measure_id"] == MEASURE for m in result["measures"])


def test_a_file_read_finds_the_link_by_its_index_without_reading_every_link(platform: Platform) -> None:
    links = platform.evaluation.links
    assert restricted(platform, ANN) and not restricted(platform, BEN)
    assert links.builds == 0
    assert links.naming(*LINK, {ANN}) == {ACME}


def many(*subjects: str) -> set[str]:
    """The subjects, and enough others that the question goes to the map rather than the index."""
    born = date(1970, 1, 1)
    return {*subjects, *(person(1 + n % 999, birth=born + timedelta(days=n // 999)) for n in range(BY_INDEX))}


def test_the_map_answers_as_the_index_does_and_is_read_once(platform: Platform) -> None:
    links = platform.evaluation.links
    for targets in ({ANN}, {BEN}, {ANN, BEN}, set()):
        assert links.naming(*LINK, many(*targets)) == platform.context.store.naming(*LINK, targets)
    assert links.builds == 1
    assert links.naming(*LINK, many(ANN)) == {ACME}
    assert links.builds == 1


def test_a_new_link_counts_at_the_next_read(platform: Platform) -> None:
    assert not restricted(platform, BEN)
    platform.submit_records(
        REGISTRY, [record(HAIDA, "registry.legal_representative", "2020-01-01", person_id=BEN)], source="t"
    )
    assert restricted(platform, BEN)
    assert platform.evaluation.links.naming(*LINK, {BEN}) == {HAIDA}
    assert platform.evaluation.links.naming(*LINK, many(BEN)) == {HAIDA}


def test_a_write_of_any_record_reads_the_links_again(platform: Platform) -> None:
    links = platform.evaluation.links
    links.naming(*LINK, many(ANN))
    platform.submit_records(
        COURT, [record(BEN, "court.dishonest_listing", "2026-06-02", case_no="B1", ground=1)], source="t"
    )
    links.naming(*LINK, many(ANN))
    assert links.builds == 2
