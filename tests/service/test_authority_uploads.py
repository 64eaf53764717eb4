"""An authority's record file kept between its preview and its commit: the preview rehearses the commit's own
write and rolls it back (so the two cannot disagree), the commit writes all or nothing; an authority sees only
its own uploads, batches and cases; the operator's state (outbox, tree head, verify, a proposed scheme's audit).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from socialcredit.audit import verify_store
from socialcredit.authorities import Authority
from socialcredit.errors import ConflictError, InputError, NotFound
from socialcredit.scheme.registry import shipped_text
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, PermissionDenied, Role, add_party
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings
from socialcredit.store import Store
from socialcredit.tables.records import batches_table, records_table
from socialcredit.tables.service import access_table, notices_table
from tests.factories import person

P = person(1)
SH = person(3, division="310101")
COURT = Party("court", Role.AUTHORITY, "court clerk", authority="RC-COURT")
OTHER = Party("court-2", Role.AUTHORITY, "another clerk", authority="RC-COURT")
REGISTRY = Party("registry", Role.AUTHORITY, "registry clerk", authority="RC-REGISTRY")
OPERATOR = Party("operator", Role.OPERATOR, "operator")
SELLER = Party("seller", Role.PROVIDER, "ticket seller", actions=("buy_air_ticket",))
HEADER = "record_id,subject_id,type,occurred_at,case_no,ground,legal_basis\n"


def row(record_id: str, subject: str = P, case: str = "(2026)鲁1082执1号", ground: str = "1") -> str:
    return f"{record_id},{subject},court.dishonest_listing,2026-06-01,{case},{ground},SPC 法释〔2017〕7号 Art. 1\n"


@pytest.fixture
def platform(store: Store, tmp_path: Path) -> Platform:
    store.add_authority(Authority("RC-COURT", "Rongcheng court", "371082", ("court.*",)))
    store.add_authority(Authority("RC-REGISTRY", "Rongcheng registry", "371082", ("registry.*",)))
    for party in (COURT, OTHER, REGISTRY, OPERATOR, SELLER):
        add_party(store, party)
    now = datetime(2026, 6, 30, 2, tzinfo=UTC)
    return Platform(store, Settings(data_dir=tmp_path), clock=lambda: now, sender=MemorySender())


def counts(platform: Platform) -> tuple[int, int, int]:
    with platform.store.read_snapshot() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar() or 0
            for t in (records_table, batches_table, notices_table)
        )


def test_a_clean_file_is_previewed_without_a_write_then_committed_as_previewed(platform: Platform) -> None:
    kept = platform.uploads.keep(COURT, "june.csv", (HEADER + row("L1")).encode(), label="June listings")
    before = counts(platform)
    preview = platform.uploads.preview(COURT, kept.upload_id)
    assert counts(platform) == before == (0, 0, 0)
    assert verify_store(platform.store).ok
    assert preview["inserted"] == 1 and preview["unchanged"] == 0
    assert preview["by_type"] == {"court.dishonest_listing": 1}
    assert [d["list_id"] for d in preview["list_entries"]] == ["dishonest-judgment-debtors"]
    assert preview["notices"] == 1
    done = platform.uploads.commit(COURT, kept.upload_id)
    assert done["files"][0]["inserted"] == 1 and done["files"][0]["source"] == "June listings"
    assert done["list_entries"] == preview["list_entries"]
    assert counts(platform)[:2] == (1, 1)
    with pytest.raises(ConflictError):
        platform.uploads.commit(COURT, kept.upload_id)  # committed once
    assert platform.uploads.receipt(COURT, kept.upload_id)["files"][0]["inserted"] == 1
    with pytest.raises(NotFound):
        platform.uploads.receipt(OTHER, kept.upload_id)
    again = platform.uploads.keep(COURT, "june.csv", (HEADER + row("L1")).encode())
    second = platform.uploads.preview(COURT, again.upload_id)
    assert (second["inserted"], second["unchanged"], second["list_entries"], second["notices"]) == (0, 1, [], 0)
    assert verify_store(platform.store).ok


@pytest.mark.parametrize(
    ("body", "field", "row_no"),
    [
        (HEADER + row("L1") + row("L2", ground="9"), "attributes.ground", 2),
        (HEADER + row("L1") + row("L2", subject=SH), "subject_id", 2),
        (HEADER + row("L1") + row("L2", subject="110101199001011234"), "subject_id", 2),
        (HEADER.replace("record_id,", "id,"), None, None),
    ],
)
def test_a_bad_row_is_named_by_file_row_and_field_and_nothing_is_written(
    platform: Platform, body: str, field: str | None, row_no: int | None
) -> None:
    kept = platform.uploads.keep(COURT, "june.csv", body.encode())
    with pytest.raises(InputError) as refused:
        platform.uploads.preview(COURT, kept.upload_id)
    problems = refused.value.problems
    assert problems and all(p.file == "june.csv" for p in problems)  # never the server path
    if field is not None:
        assert any(p.field == field and p.row == row_no for p in problems), problems
    with pytest.raises(InputError):
        platform.uploads.commit(COURT, kept.upload_id)
    assert counts(platform) == (0, 0, 0)


def test_a_record_id_reused_with_other_content_is_a_conflict_at_preview_as_at_commit(platform: Platform) -> None:
    platform.uploads.commit(COURT, platform.uploads.keep(COURT, "a.csv", (HEADER + row("L1")).encode()).upload_id)
    kept = platform.uploads.keep(COURT, "b.csv", (HEADER + row("L1", case="other")).encode())
    with pytest.raises(ConflictError):
        platform.uploads.preview(COURT, kept.upload_id)
    with pytest.raises(ConflictError):
        platform.uploads.commit(COURT, kept.upload_id)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.txt", b"anything"),
        ("x.csv", b""),
        ("\ud800.csv", b"x"),
        ("x\x00.csv", b"x"),
        ("big.csv", b"x" * (16 * 1024 * 1024 + 1)),
    ],
)
def test_what_cannot_be_a_record_file_is_refused_before_it_is_kept(platform: Platform, name: str, data: bytes) -> None:
    with pytest.raises(InputError):
        platform.uploads.keep(COURT, name, data)
    assert not platform.uploads.folder.exists() or not any(platform.uploads.folder.iterdir())


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00binary\x00", HEADER.encode() + b"L1,\xed\xa0\x80,court.dishonest_listing,2026-06-01,c,1,b\n"],
)
def test_binary_or_invalid_utf8_is_a_located_problem(platform: Platform, data: bytes) -> None:
    kept = platform.uploads.keep(COURT, "x.csv", data)
    with pytest.raises(InputError) as refused:
        platform.uploads.preview(COURT, kept.upload_id)
    assert all(p.file == "x.csv" for p in refused.value.problems)


def test_another_partys_upload_is_not_found_and_logged(platform: Platform) -> None:
    kept = platform.uploads.keep(COURT, "june.csv", (HEADER + row("L1")).encode())
    for party in (OTHER, REGISTRY):
        with pytest.raises(NotFound):
            platform.uploads.commit(party, kept.upload_id)
    with pytest.raises(PermissionDenied):
        platform.uploads.preview(SELLER, kept.upload_id)
    with pytest.raises(NotFound):
        platform.uploads.get(COURT, "../../etc")
    with platform.store.read_snapshot() as conn:
        refused = conn.execute(select(access_table.c.action).where(access_table.c.outcome == "refused")).scalars()
        assert list(refused).count("records.upload") == 4  # two clerks, a seller, a forged id
    assert counts(platform) == (0, 0, 0)


def test_one_commit_at_a_time_per_upload(platform: Platform) -> None:
    kept = platform.uploads.keep(COURT, "june.csv", (HEADER + row("L1")).encode())
    (kept.path.parent / "committing").touch()  # another request is committing it
    with pytest.raises(ConflictError):
        platform.uploads.commit(COURT, kept.upload_id)
    (kept.path.parent / "committing").unlink()
    assert platform.uploads.commit(COURT, kept.upload_id)["files"][0]["inserted"] == 1


def test_a_kept_file_changed_on_disk_is_not_committed(platform: Platform) -> None:
    kept = platform.uploads.keep(COURT, "june.csv", (HEADER + row("L1")).encode())
    kept.path.write_bytes((HEADER + row("L9")).encode())
    with pytest.raises(ConflictError):
        platform.uploads.commit(COURT, kept.upload_id)
    assert counts(platform) == (0, 0, 0)


def test_old_uploads_are_swept(platform: Platform, store: Store, tmp_path: Path) -> None:
    kept = platform.uploads.keep(COURT, "june.csv", (HEADER + row("L1")).encode())
    later = Platform(
        store,
        Settings(data_dir=tmp_path),
        clock=lambda: datetime(2026, 6, 30, 2, tzinfo=UTC) + timedelta(hours=25),
        sender=MemorySender(),
    )
    assert later.uploads.sweep() == 1
    with pytest.raises(NotFound):
        platform.uploads.get(COURT, kept.upload_id)


def test_an_authority_sees_its_own_profile_lists_batches_and_cases(platform: Platform) -> None:
    profile = platform.authority_views.profile(COURT)
    assert profile["code"] == "RC-COURT"
    assert all(t["type"].startswith("court.") for t in profile["record_types"])
    lists = platform.authority_views.lists(COURT)
    assert [x["list_id"] for x in lists] == ["dishonest-judgment-debtors"]
    assert [x["type"] for x in lists[0]["exits"]] == ["court.obligation_performed"]
    assert platform.authority_views.lists(REGISTRY) == []
    with pytest.raises(NotFound):
        platform.authority_views.list_rule(REGISTRY, "dishonest-judgment-debtors")
    platform.uploads.commit(COURT, platform.uploads.keep(COURT, "a.csv", (HEADER + row("L1")).encode()).upload_id)
    assert platform.authority_views.batches(COURT)["total"] == 1
    assert platform.authority_views.batches(REGISTRY)["total"] == 0
    for call in (platform.authority_views.profile, platform.authority_views.batches, platform.authority_views.cases):
        with pytest.raises(PermissionDenied):
            call(SELLER)


def test_the_operator_sees_the_outbox_the_tree_head_and_a_verification(platform: Platform) -> None:
    platform.uploads.commit(COURT, platform.uploads.keep(COURT, "a.csv", (HEADER + row("L1")).encode()).upload_id)
    state = platform.operator_state
    assert state.outbox(OPERATOR)["waiting"] == 1
    platform.dispatch_notices(OPERATOR)
    assert state.outbox(OPERATOR)["sent"] == 1 and state.outbox(OPERATOR)["waiting"] == 0
    head = state.tree_head(OPERATOR)
    checked = state.verify(OPERATOR)
    assert checked["ok"] and checked["size"] == head["size"] > 0 and checked["root_hash"] == head["root_hash"]
    for call in (state.outbox, state.tree_head, state.verify, state.schemes):
        with pytest.raises(PermissionDenied):
            call(COURT)


def test_a_proposed_scheme_is_audited_with_located_findings(platform: Platform) -> None:
    text = shipped_text("judgment-debtors")
    audited = platform.operator_state.audit_proposed(OPERATOR, text)
    assert audited["audit"]["may_operate"] and audited["in_operation"] == audited["label"]
    broken = text.replace("legal_basis: SPC Provisions (法释〔2017〕7号), Art. 1 and Art. 2", "legal_basis: tbd")
    findings = platform.operator_state.audit_proposed(OPERATOR, broken)["findings"]
    assert any(f["severity"] == "error" and f["line"] for f in findings)
    for bad in ("scheme: [", "just text", "a: \x00", "\ud800", "x" * 1_000_001):
        with pytest.raises(InputError) as refused:
            platform.operator_state.audit_proposed(OPERATOR, bad)
        assert refused.value.problems
    with pytest.raises(PermissionDenied):
        platform.operator_state.audit_proposed(COURT, text)


def test_a_proposal_is_kept_by_its_sha256_with_its_audit_or_its_problems(platform: Platform) -> None:
    text = shipped_text("judgment-debtors")
    digest = platform.operator_state.propose(OPERATOR, text)
    assert platform.operator_state.propose(OPERATOR, text) == digest
    kept = platform.operator_state.proposal(OPERATOR, digest)
    assert kept["audit"]["may_operate"] and kept["path"].endswith(f"{digest}.yaml")
    broken = platform.operator_state.proposal(OPERATOR, platform.operator_state.propose(OPERATOR, "scheme: ["))
    assert broken["audit"] is None and broken["problems"][0].line == 1
    for bad in ("0" * 64, "../x", "A" * 64):
        with pytest.raises(NotFound):
            platform.operator_state.proposal(OPERATOR, bad)
    with pytest.raises(PermissionDenied):
        platform.operator_state.proposal(COURT, digest)


def test_a_provider_sees_again_only_the_decisions_served_to_it(platform: Platform) -> None:
    from socialcredit.service.deciding import Query

    (served,) = platform.decide(SELLER, [Query(P, "buy_air_ticket")])
    seen = platform.provider_views.served(SELLER, served["reference"])
    assert seen["decision"] == served["decision"] and P not in str(seen) and "explanation" not in seen
    with pytest.raises(PermissionDenied):
        platform.provider_views.served(COURT, served["reference"])
    with pytest.raises(NotFound):
        platform.provider_views.served(SELLER, "D-0000")
