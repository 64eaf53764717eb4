"""Due process over HTTP: suspension of an undecided objection, correction notified to recipients, expiry
without anyone acting, repair conditions, tracking, access log window, figures."""

from __future__ import annotations

from typing import Any

from socialcredit.audit import verify_store
from tests.api.conftest import ACME, ALICE, BOB, SCORE, World, entry_target, record_target

LIST = "dishonest-judgment-debtors"


def _object_to_entry(w: World, key: str, who: str = "alice") -> dict[str, Any]:
    return w.object_to(who, "judgment-debtors", entry_target(LIST, key), "not my debt")


def test_an_objection_not_decided_in_time_suspends_the_entry_until_decided(world: World) -> None:
    w = world
    w.submit("court", w.listing(ALICE, "C1"))
    objection = _object_to_entry(w, "C1")
    assert objection["deadline"] == "2026-07-15"
    # Disputed at once, but still in use within the deadline.
    w.advance(15)
    assert w.decide("seller", ALICE)["decision"] == "deny"
    # One day late: suspended. Decisions, publication and the lookup no longer rely on it.
    w.advance(1)
    assert w.ok("alice", "GET", f"/v1/cases/{objection['reference']}")["status"] == "suspended"
    assert w.decide("seller", ALICE)["decision"] == "allow"
    assert w.ok(None, "GET", f"/v1/public/lists/{LIST}/entries")["total"] == 0
    file = w.ok("alice", "GET", f"/v1/subjects/{ALICE}/file")
    (entry,) = next(s for s in file["schemes"] if s["scheme"].startswith("judgment-debtors"))["list_entries"]
    assert entry["disputed"] and entry["suspended"]
    # Decided (rejected): back in use.
    w.ok("reviewer", "POST", f"/v1/cases/{objection['reference']}/decision",
         json={"outcome": "rejected", "reasons": "Served in person; the debt is hers."})
    assert w.decide("seller", ALICE)["decision"] == "deny"
    assert w.ok(None, "GET", f"/v1/public/lists/{LIST}/entries")["total"] == 1


def test_an_upheld_objection_corrects_by_a_new_version_and_tells_every_recipient(world: World) -> None:
    w = world
    listing = w.listing(ALICE, "C1")
    w.submit("court", listing)
    first = w.decide("seller", ALICE)
    second = w.decide("seller", ALICE, action="buy_g_train_ticket")
    objection = w.object_to(
        "alice", "judgment-debtors", record_target("RC-COURT", listing["record_id"]),
        "the case was settled before listing",
    )
    decided = w.ok("reviewer", "POST", f"/v1/cases/{objection['reference']}/decision",
                   json={"outcome": "upheld", "reasons": "Settlement of 2026-05-20 on file."})
    assert decided["status"] == "upheld"
    (correction,) = decided["correction"]
    assert correction.startswith(f"RC-COURT/{listing['record_id']}~")
    # The seller is told which decisions rested on the corrected record.
    (notice,) = w.ok("seller", "GET", "/v1/notices")["items"]
    assert notice["kind"] == "correction"
    assert set(notice["body"]["decisions"]) == {first["reference"], second["reference"]}
    assert w.decide("seller", ALICE)["decision"] == "allow"
    # The old version stays, superseded; the file download shows both.
    download = w.call("alice", "GET", f"/v1/subjects/{ALICE}/file/download")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    versions = download.json()["record_versions"]
    assert [v["record_id"] for v in versions] == [listing["record_id"], correction.split("/", 1)[1]]
    assert versions[1]["supersedes"] == listing["record_id"] and versions[1]["revoked"] is True
    figures = w.ok(None, "GET", "/v1/transparency", params={"period": "2026-06"})
    row = next(r for r in figures["lists"] if r["list_id"] == LIST)
    assert (row["objections_filed"], row["objections_upheld"], row["corrections"]) == (1, 1, 1)
    report = verify_store(w.store)
    assert report.ok, report.problems


def test_an_upheld_objection_may_correct_attributes(world: World) -> None:
    w = world
    listing = w.listing(ALICE, "C1", day="2025-01-10", ground=1)
    w.submit("court", listing)
    objection = w.object_to(
        "alice", "judgment-debtors", record_target("RC-COURT", listing["record_id"]),
        "ground 2, not 1: the period is two years",
    )
    w.ok("reviewer", "POST", f"/v1/cases/{objection['reference']}/decision",
         json={"outcome": "upheld", "reasons": "Ground 2 per the decision.", "corrected_attributes": {"ground": 2}})
    assert w.decide("seller", ALICE)["decision"] == "deny"
    w.advance(200)  # 2027-01-16: two years from 2025-01-10 have passed
    assert w.decide("seller", ALICE)["decision"] == "allow"


def test_nothing_is_served_after_its_maximum_period(world: World) -> None:
    w = world
    w.submit("court", w.listing(BOB, "C9", day="2024-07-01", ground=2))  # two years: ends 2026-07-01
    assert w.decide("seller", BOB)["decision"] == "deny"
    assert w.ok(None, "POST", "/v1/public/lookup", json={"subject_id": BOB})["listed"] is True
    w.advance(1)  # 2026-07-01 in Rongcheng
    assert w.decide("seller", BOB)["decision"] == "allow"
    assert w.ok(None, "POST", "/v1/public/lookup", json={"subject_id": BOB})["listed"] is False
    assert w.ok(None, "GET", f"/v1/public/lists/{LIST}/entries")["total"] == 0


def test_repair_needs_its_conditions_and_cannot_be_filed_twice(world: World) -> None:
    w = world
    w.submit("court", w.listing(ALICE, "C1"))
    body = {"scheme": "judgment-debtors", "list_id": LIST, "key": "C1", "obligation_performed": False,
            "commitment": "ok"}
    refused = w.ok("alice", "POST", "/v1/repairs", 422, json=body)
    assert {p["field"] for p in refused["problems"]} == {"obligation_performed", "commitment"}
    body |= {"obligation_performed": True, "commitment": "I will honour judgments."}
    filed = w.ok("alice", "POST", "/v1/repairs", 201, json=body)
    assert w.call("alice", "POST", "/v1/repairs", json=body).status_code == 409
    w.advance(30)
    assert w.ok("alice", "GET", f"/v1/cases/{filed['reference']}")["status"] == "overdue"
    pending = w.ok("reviewer", "GET", "/v1/cases", params={"status": "open"})["items"]
    assert pending[0]["reference"] == filed["reference"]
    refused = w.ok("reviewer", "POST", f"/v1/cases/{filed['reference']}/decision",
                   json={"outcome": "refused", "reasons": "No proof of payment."})
    assert refused["status"] == "refused"
    assert w.call("reviewer", "POST", f"/v1/cases/{filed['reference']}/decision",
                  json={"outcome": "granted", "reasons": "changed my mind"}).status_code == 409
    assert w.call("reviewer", "POST", f"/v1/cases/{filed['reference']}/decision",
                  json={"outcome": "upheld", "reasons": "wrong outcome kind"}).status_code == 422


def test_the_access_log_shows_the_last_24_months(world: World) -> None:
    w = world
    w.decide("seller", ALICE)
    assert w.call("reviewer", "GET", f"/v1/subjects/{ALICE}/file").status_code == 403  # no case: no reason to look
    w.object_to("alice", "rongcheng", SCORE, "my score is wrong")
    w.ok("reviewer", "GET", f"/v1/subjects/{ALICE}/file")
    parties = {i["party"] for i in w.ok("alice", "GET", f"/v1/subjects/{ALICE}/access-log")["items"]}
    assert parties == {"seller", "reviewer", "alice"}
    w.advance(25 * 31)
    assert w.ok("alice", "GET", f"/v1/subjects/{ALICE}/access-log")["items"] == []


def test_a_score_objection_is_tracked(world: World) -> None:
    w = world
    w.submit("court", {"record_id": "F1", "subject_id": ALICE, "type": "court.contract_breach_judgment",
                       "occurred_at": "2026-03-01", "attributes": {}})
    filed = w.object_to("alice", "rongcheng", SCORE, "my score is wrong")
    assert filed["target"]["kind"] == "score" and filed["status"] == "open"
    mine = w.ok("alice", "GET", "/v1/cases")["items"]
    assert [c["reference"] for c in mine] == [filed["reference"]]
    assert w.ok("bob", "GET", "/v1/cases")["items"] == []
    assert w.call("alice", "GET", "/v1/transparency", params={"period": "2026-13"}).status_code == 422


def test_a_correction_reaches_providers_of_decisions_about_linked_subjects(world: World) -> None:
    w = world
    w.submit("registry", {"record_id": "REP1", "subject_id": ACME, "type": "registry.legal_representative",
                          "occurred_at": "2025-01-01", "attributes": {"person_id": BOB}})
    listing = w.listing(ACME, "ORG-1")
    w.submit("court", listing)
    about_bob = w.decide("seller", BOB)
    assert about_bob["decision"] == "deny"
    (code,) = about_bob["reason_codes"]
    assert code == "legal-representative-consumption:dishonest-judgment-debtors:via-legal-representative"
    objection = w.object_to(
        "acme-1", "judgment-debtors", record_target("RC-COURT", listing["record_id"]),
        "paid before listing",
    )
    w.ok("reviewer", "POST", f"/v1/cases/{objection['reference']}/decision",
         json={"outcome": "upheld", "reasons": "Paid on 2026-05-30."})
    (notice,) = w.ok("seller", "GET", "/v1/notices")["items"]
    assert notice["body"]["decisions"] == [about_bob["reference"]]
    assert w.decide("seller", BOB)["decision"] == "allow"


def test_a_score_objection_not_decided_in_time_suspends_the_grade_measures(world: World) -> None:
    w = world
    honours = [{"record_id": f"H{i}", "subject_id": ALICE, "type": "honor.heroic_act", "occurred_at": day,
                "attributes": {}} for i, day in enumerate(["2026-03-01", "2026-04-01"])]
    w.submit("civil", *honours)  # 1,060 points: AAA, priority for a bank loan
    assert w.decide("bank", ALICE, action="bank_loan")["decision"] == "priority"
    filed = w.object_to("alice", "rongcheng", SCORE, "one act is counted twice")
    assert filed["deadline"] == "2026-07-20"  # the scheme's 20 days
    w.advance(20)
    assert w.decide("bank", ALICE, action="bank_loan")["decision"] == "priority"
    w.advance(1)
    assert w.decide("bank", ALICE, action="bank_loan")["decision"] == "allow"
    file = w.ok("alice", "GET", f"/v1/subjects/{ALICE}/file")
    rongcheng = next(s for s in file["schemes"] if s["scheme"].startswith("rongcheng"))
    assert rongcheng["score_disputed"] and rongcheng["score_suspended"]


def test_an_upheld_objection_cannot_list_the_subject_again(world: World) -> None:
    """The attack found: "upholding" an objection to an expired ground-5 listing with ground 1 relisted the
    person, open-ended, in the court's name. Refused with 409 and the reason; nothing is written."""
    w = world
    listing = w.listing(ALICE, "C7", day="2023-03-01", ground=5)  # two years: ended 2025-03-01
    w.submit("court", listing)
    assert w.decide("seller", ALICE)["decision"] == "allow"
    objection = w.object_to(
        "alice", "judgment-debtors", record_target("RC-COURT", listing["record_id"]),
        "this should not be on my file at all",
    )
    refused = w.call("reviewer", "POST", f"/v1/cases/{objection['reference']}/decision",
                     json={"outcome": "upheld", "reasons": "relist", "corrected_attributes": {"ground": 1}})
    assert refused.status_code == 409
    assert "subject's favour" in refused.json()["detail"]
    assert w.decide("seller", ALICE)["decision"] == "allow"
    assert w.ok("alice", "GET", f"/v1/cases/{objection['reference']}")["status"] == "open"
