"""The end-to-end story over HTTP: an authority lists a judgment debtor, a ticket seller is refused, the person
sees why and objects, a reviewer decides, the person pays and applies for repair, the ticket seller is allowed."""

from __future__ import annotations

from socialcredit.audit import subject_history, verify_store
from tests.api.conftest import ALICE, World, entry_target

CASE = "(2026)鲁1082执123号"


def test_the_story(world: World) -> None:
    w = world
    # 1. The court lists Alice (ground 1: able to perform but refuses; lasts until performance).
    listing = w.listing(ALICE, CASE)
    submitted = w.submit("court", listing)
    assert submitted["inserted"] == 1
    (document,) = submitted["list_entries"]
    assert document["list_id"] == "dishonest-judgment-debtors"
    assert document["key"] == CASE and document["end"] is None
    assert document["exit_conditions"] == ["court.obligation_performed"]
    assert any(m["measure_id"] == "high-consumption-restriction" for m in document["measures"])
    # Alice is notified at once.
    assert [n["kind"] for n in w.sender.sent] == ["listing"]
    assert w.sender.sent[0]["recipient"] == ALICE

    # 2. The ticket seller is refused and learns only the decision, a reason code and a reference.
    refused = w.decide("seller", ALICE)
    assert refused["decision"] == "deny"
    assert set(refused) == {"subject_id", "action", "at", "decision", "reason_codes", "reference"}
    assert refused["reason_codes"] == ["high-consumption-restriction:dishonest-judgment-debtors"]

    # 3. Alice looks up the reference and sees why, then reads her file.
    why = w.ok("alice", "GET", f"/v1/explanations/{refused['reference']}")
    reason = why["explanation"]["judgment-debtors"]["reasons"][0]
    assert reason["records"][0]["record_id"] == listing["record_id"]
    assert "legal_basis" in reason and why["explanation"]["judgment-debtors"]["how_to_object"]
    file = w.ok("alice", "GET", f"/v1/subjects/{ALICE}/file")
    (scheme,) = [s for s in file["schemes"] if s["scheme"].startswith("judgment-debtors")]
    assert scheme["list_entries"][0]["status"] == "active"
    # The seller's look is in her access log.
    log = w.ok("alice", "GET", f"/v1/subjects/{ALICE}/access-log")["items"]
    assert any(item["party"] == "seller" and item["action"] == "decision" for item in log)

    # 4. She objects to the entry: it is disputed at once, with a deadline from the scheme (15 days).
    entry = entry_target("dishonest-judgment-debtors", CASE)
    objection = w.object_to("alice", "judgment-debtors", entry, "I was never served the enforcement notice.")
    assert objection["status"] == "open" and objection["deadline"] == "2026-07-15"
    file = w.ok("alice", "GET", f"/v1/subjects/{ALICE}/file")
    (scheme,) = [s for s in file["schemes"] if s["scheme"].startswith("judgment-debtors")]
    assert scheme["list_entries"][0]["disputed"] is True

    # 5. A reviewer decides within the deadline, with reasons: the notice was served.
    w.advance(5)
    decided = w.ok(
        "reviewer",
        "POST",
        f"/v1/cases/{objection['reference']}/decision",
        json={"outcome": "rejected", "reasons": "The enforcement notice was served on 2026-05-10 (receipt on file)."},
    )
    assert decided["status"] == "rejected" and [h["status"] for h in decided["history"]] == ["open", "rejected"]
    assert w.decide("seller", ALICE)["decision"] == "deny"

    # 6. Alice pays and applies for repair with a credit commitment; the reviewer grants it.
    repair = w.ok(
        "alice",
        "POST",
        "/v1/repairs",
        201,
        json={
            "scheme": "judgment-debtors",
            "list_id": "dishonest-judgment-debtors",
            "key": CASE,
            "obligation_performed": True,
            "commitment": "I undertake to honour every effective judgment.",
            "statement": "Paid in full on 2026-07-04, bank receipt 7781.",
        },
    )
    assert repair["status"] == "open" and repair["deadline"] == "2026-07-17"  # 10 working days after Sunday 5 July
    tracked = w.ok("alice", "GET", f"/v1/cases/{repair['reference']}")
    assert tracked["deadline"] == repair["deadline"]
    w.advance(2)
    granted = w.ok(
        "reviewer",
        "POST",
        f"/v1/cases/{repair['reference']}/decision",
        json={"outcome": "granted", "reasons": "Payment confirmed with the court; commitment made."},
    )
    assert granted["status"] == "granted" and granted["correction"]

    # 7. The ticket seller is allowed; the entry is no longer published.
    assert w.decide("seller", ALICE)["decision"] == "allow"
    public = w.ok(None, "GET", "/v1/public/lists/dishonest-judgment-debtors/entries")
    assert public["total"] == 0
    assert w.ok(None, "POST", "/v1/public/lookup", json={"subject_id": ALICE})["listed"] is False
    figures = w.ok(None, "GET", "/v1/transparency", params={"period": "2026"})
    (row,) = [r for r in figures["lists"] if r["list_id"] == "dishonest-judgment-debtors"]
    assert row["entries_made"] == 1 and row["objections_filed"] == 1 and row["repairs_granted"] == 1
    kinds = [n["kind"] for n in w.sender.sent]
    assert kinds == ["listing", "objection_received", "objection_decided", "repair_received", "repair_decided"]

    # 8. Every read of her file and every decision about her is in the tamper-evident audit log, which verifies.
    report = verify_store(w.store)
    assert report.ok, report.problems
    history = subject_history(w.store, ALICE)
    actions = [(leaf.actor, leaf.action) for leaf in history]
    assert ("provider:seller", "decision") in actions and ("subject:alice", "file.read") in actions
    assert ("reviewer:reviewer", "repair.decide") in actions
    assert any(action == "record.write" and actor == "reviewer:reviewer" for actor, action in actions)
