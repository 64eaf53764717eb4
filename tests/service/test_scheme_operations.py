"""Putting an audited scheme version into operation while the platform runs: the switch takes effect for decisions
(through the decision index) and the published schemes at once, survives a restart, owes a notice to every subject
whose result gets worse, and is one act in the audit log; every refusal changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from socialcredit.audit import verify_store
from socialcredit.authorities import Authority
from socialcredit.errors import ConflictError, NotFound, SchemeError
from socialcredit.records import Record
from socialcredit.scheme.registry import shipped_text
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, PermissionDenied, Role, add_party
from socialcredit.service.platform import Platform, Query
from socialcredit.settings import Settings
from socialcredit.store import Store
from socialcredit.tables.audit import audit_leaves_table
from socialcredit.tables.service import access_table, notices_table, scheme_operations_table
from tests.factories import person
from tests.service.scheme_texts import UNLISTED_TYPE, scheme_text

COURT = Party("court", Role.AUTHORITY, "court", authority="RC-COURT")
SELLER = Party("seller", Role.PROVIDER, "seller", actions=("buy_air_ticket",))
OPERATOR = Party("operator", Role.OPERATOR, "operator")
REVIEWER = Party("reviewer", Role.REVIEWER, "reviewer")
START = datetime(2026, 6, 30, 2, tzinfo=UTC)
ALICE, BOB = person(1), person(2)
V1 = shipped_text("judgment-debtors")
LONGER = (
    V1.replace('version: "2017.1"', 'version: "2026.1"')
    .replace("        - period: {years: 2}", "        - period: {years: 3}")
    .replace("        max: 3", "        max: 2")
)
"""A version whose entries on grounds 2 to 6 last three years instead of two (extended by two at most, so that
none counts beyond five): worse for someone listed 28 months ago, the same for someone listed until performance."""


def platform_on(store: Store, tmp: Path, **settings: object) -> Platform:
    return Platform(
        store,
        Settings(data_dir=tmp, decision_index=True, **settings),  # type: ignore[arg-type]
        clock=lambda: START,
        sender=MemorySender(),
    )


@pytest.fixture
def platform(store: Store, tmp_path: Path) -> Platform:
    store.migrate()
    store.add_authority(Authority("RC-COURT", "court", "371082", ("court.*",)))
    for party in (COURT, SELLER, OPERATOR, REVIEWER):
        add_party(store, party)
    p = platform_on(store, tmp_path)
    listings = [
        Record(
            "L1", ALICE, "court.dishonest_listing", date(2026, 6, 1), {"case_no": "C-1", "ground": 1}, legal_basis="t"
        ),
        Record(
            "L2", BOB, "court.dishonest_listing", date(2024, 3, 1), {"case_no": "C-2", "ground": 2}, legal_basis="t"
        ),
    ]
    p.submit_records(COURT, listings, source="test")
    return p


def verdict(platform: Platform, subject: str) -> str:
    return platform.decide(SELLER, [Query(subject, "buy_air_ticket")])[0]["decision"]


def counts(store: Store) -> tuple[int, int, int]:
    """Rows of scheme_operations, audit leaves and notices."""
    with store.read_snapshot() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (scheme_operations_table, audit_leaves_table, notices_table)
        )


def test_a_version_put_into_operation_decides_and_is_published_at_once(platform: Platform) -> None:
    assert verdict(platform, BOB) == "allow" and verdict(platform, ALICE) == "deny"  # the index is built
    digest = platform.operator_state.propose(OPERATOR, LONGER)
    preview = platform.operator_state.operation_preview(OPERATOR, digest)
    assert preview["problems"] == [] and preview["replaces"] == "judgment-debtors@2017.1"
    assert preview["label"] == "judgment-debtors@2026.1" and preview["worse"] == 1 and preview["compared"] == 2

    out = platform.put_into_operation(OPERATOR, digest, replaces="judgment-debtors@2017.1")

    assert out["replaced"] == "judgment-debtors@2017.1" and out["worse"] == 1
    assert verdict(platform, BOB) == "deny" and verdict(platform, ALICE) == "deny"
    assert platform.live is not None and platform.live.stats.switched == 1
    assert platform.scheme("judgment-debtors").version == "2026.1"
    published = {s["scheme"]: s for s in platform.public.schemes()}
    assert published["judgment-debtors"]["label"] == "judgment-debtors@2026.1"
    assert platform.public.audit("judgment-debtors")["scheme"] == "judgment-debtors@2026.1"
    assert "judgment-debtors@2026.1" in {s["label"] for s in platform.operator_state.schemes(OPERATOR)}


def test_every_subject_worse_off_is_sent_a_notice(platform: Platform) -> None:
    sender = platform.sender
    assert isinstance(sender, MemorySender)
    before = len(sender.sent)
    platform.put_into_operation(OPERATOR, platform.operator_state.propose(OPERATOR, LONGER))
    new = sender.sent[before:]
    assert [n["subject_id"] for n in new] == [BOB]
    items = new[0]["body"]["items"]
    assert items[0]["kind"] == "scheme_changed" and items[0]["replaced"] == "judgment-debtors@2017.1"
    lengthened = [i for i in items[1:] if i["kind"] == "listing_changed"]  # the entry that had ended is in force
    assert [(i["key"], i["end"]) for i in lengthened] == [("C-2", "2027-03-01")], items


def test_a_restart_on_the_same_store_operates_the_version_put_into_operation(
    platform: Platform, store: Store, tmp_path: Path
) -> None:
    digest = platform.operator_state.propose(OPERATOR, LONGER)
    platform.put_into_operation(OPERATOR, digest)
    again = platform_on(store, tmp_path)
    assert again.scheme("judgment-debtors").version == "2026.1"
    assert {s.scheme for s in again.schemes} == {s.scheme for s in platform.schemes}
    assert verdict(again, BOB) == "deny"
    named = Platform(store, Settings(data_dir=tmp_path), schemes=[], clock=lambda: START)
    assert named.schemes == ()  # schemes named explicitly: the store's versions are not read


def test_a_new_scheme_name_is_added_and_kept(platform: Platform, store: Store, tmp_path: Path) -> None:
    out = platform.put_into_operation(OPERATOR, platform.operator_state.propose(OPERATOR, scheme_text()), replaces="")
    assert out["replaced"] is None and "city" in platform.scheme_names()
    assert "city" in platform_on(store, tmp_path).scheme_names()
    assert [o["label"] for o in platform.operator_state.operations(OPERATOR)] == ["city@1"]


def test_a_recorded_version_that_no_longer_passes_its_audit_is_refused_loudly_at_start(
    platform: Platform, store: Store, tmp_path: Path
) -> None:
    platform.put_into_operation(OPERATOR, platform.operator_state.propose(OPERATOR, scheme_text()))
    with store.write_transaction() as conn:  # as if the catalogue had dropped the type the document reads
        conn.execute(scheme_operations_table.update().values(document=scheme_text(record_type=UNLISTED_TYPE)))
    with pytest.raises(SchemeError) as info:
        platform_on(store, tmp_path)
    assert any(p.file and p.file.startswith("scheme_operations row") for p in info.value.problems)


def test_the_audit_log_verifies_and_holds_the_act(platform: Platform, store: Store) -> None:
    digest = platform.operator_state.propose(OPERATOR, LONGER)
    platform.put_into_operation(OPERATOR, digest)
    assert verify_store(store).ok
    t = audit_leaves_table
    with store.read_snapshot() as conn:
        acts = conn.execute(select(t.c.actor, t.c.detail).where(t.c.action == "scheme.operate")).all()
    assert len(acts) == 1 and acts[0].actor == "operator:operator" and digest in str(acts[0].detail)


LAB = scheme_text(purpose="lab")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (scheme_text(record_type=UNLISTED_TYPE), "not in the catalogue"),
        (LAB, "lab scheme"),
        (V1, "in operation already"),
        (
            V1.replace("        - period: {years: 2}", "        - period: {years: 3}"),
            "a changed scheme needs a new version",
        ),
    ],
    ids=["audit-error", "lab", "same-version", "same-version-other-content"],
)
def test_a_refused_version_changes_nothing_and_is_logged(
    platform: Platform, store: Store, text: str, words: str
) -> None:
    digest = platform.operator_state.propose(OPERATOR, text)
    preview = platform.operator_state.operation_preview(OPERATOR, digest)
    assert any(words in p.reason for p in preview["problems"]), preview
    before, schemes = counts(store), platform.context.operation
    with pytest.raises(SchemeError) as info:
        platform.put_into_operation(OPERATOR, digest)
    assert any(words in p.reason for p in info.value.problems)
    assert counts(store) == before and platform.context.operation is schemes
    with store.read_snapshot() as conn:
        refused = conn.execute(select(access_table.c.action).where(access_table.c.outcome == "refused")).scalars()
        assert "scheme.operate" in list(refused)


def test_others_an_unknown_digest_and_a_stale_confirmation_are_refused(platform: Platform, store: Store) -> None:
    digest = platform.operator_state.propose(OPERATOR, LONGER)
    before, schemes = counts(store), platform.context.operation
    for party in (REVIEWER, SELLER, COURT):
        with pytest.raises(PermissionDenied):
            platform.put_into_operation(party, digest)
        with pytest.raises(PermissionDenied):
            platform.operator_state.operation_preview(party, digest)
    with pytest.raises(NotFound):
        platform.put_into_operation(OPERATOR, "0" * 64)
    with pytest.raises(NotFound):
        platform.put_into_operation(OPERATOR, "../" + digest)
    with pytest.raises(ConflictError):
        platform.put_into_operation(OPERATOR, digest, replaces="judgment-debtors@2010.1")
    with pytest.raises(ConflictError):
        platform.put_into_operation(OPERATOR, digest, replaces="")
    assert counts(store)[0] == before[0] and counts(store)[2] == before[2]
    assert platform.context.operation is schemes and verdict(platform, BOB) == "allow"
