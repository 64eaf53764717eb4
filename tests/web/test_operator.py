"""The operator's pages: schemes and their audits, the outbox and sending it, the refusal log, the audit log's head
and verification, and the rights audit of a proposed scheme; nobody else reaches them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from socialcredit.api import create_app
from socialcredit.scheme.registry import shipped_text
from socialcredit.service.notices import MemorySender
from socialcredit.settings import Settings
from tests.api.conftest import ALICE, BOB
from tests.web.conftest import Portal
from tests.web.structure import problems


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_operator_sees_schemes_outbox_audit_log_and_refusals(portal: Portal, language: str) -> None:
    w = portal.world
    w.submit("court", w.listing(ALICE, "C-1"))
    portal.reader("alice").get("/operator")  # a refusal to show
    page = portal.reader("operator", language).get("/operator")
    assert page.status_code == 200
    assert "judgment-debtors@" in page.text and "rongcheng@" in page.text
    assert "/operator/outbox/send" in page.text and "page.read" in page.text
    size = re.search(r"(?:Tree size|树大小)</dt><dd>([0-9,]+)</dd>", page.text)
    assert size and int(size.group(1).replace(",", "")) > 0
    assert ALICE not in page.text


def test_send_now_sends_the_outbox_and_says_how_many(portal: Portal) -> None:
    w = portal.world
    w.submit("court", w.listing(ALICE, "C-1"))
    operator = portal.reader("operator")
    sent = operator.post("/operator/outbox/send")
    assert sent.status_code == 303 and sent.headers["location"].startswith("/operator?sent=")
    page = operator.get(sent.headers["location"])
    assert "notices were sent" in page.text
    assert operator.client.post("/operator/outbox/send", data={"csrf": "forged"}).status_code == 403


def test_the_refusal_log_is_paginated(portal: Portal) -> None:
    alice = portal.reader("alice")
    for _ in range(30):
        alice.get("/operator")
    operator = portal.reader("operator")
    first = operator.get("/operator")
    assert "Older refusals" in first.text and "Newer refusals" not in first.text
    second = operator.get("/operator?offset=25")
    assert "Newer refusals" in second.text
    assert operator.get("/operator?offset=-1").status_code == 422


def test_verifying_the_audit_log_reports_it_intact_with_its_head(portal: Portal) -> None:
    w = portal.world
    w.submit("court", w.listing(ALICE, "C-1"))
    page = portal.reader("operator").get("/operator/audit")
    assert page.status_code == 200 and "The audit log is intact" in page.text
    assert re.search(r"<code>\d+:[0-9a-f]{64}</code>", page.text)


def test_a_proposed_scheme_is_audited_and_offered_for_operation_only_without_errors(portal: Portal) -> None:
    operator = portal.reader("operator")
    text = shipped_text("judgment-debtors").replace('version: "2017.1"', 'version: "2026.1"')
    posted = operator.post("/operator/schemes/audit", files={"file": ("jd.yaml", text.encode(), "application/yaml")})
    assert posted.status_code == 303
    assert re.fullmatch(r"/operator/schemes/audit/[0-9a-f]{64}", posted.headers["location"])
    page = operator.get(posted.headers["location"])
    assert "This version may be put into operation" in page.text
    assert f'action="{posted.headers["location"]}/operate"' in page.text
    broken = text.replace("legal_basis: SPC Provisions (法释〔2017〕7号), Art. 1 and Art. 2", "legal_basis: tbd")
    bad = operator.get(operator.post("/operator/schemes/audit", {"text": broken}).headers["location"])
    assert "This version may not be put into operation" in bad.text and "/operate" not in bad.text
    same = operator.get(
        operator.post("/operator/schemes/audit", {"text": shipped_text("rongcheng")}).headers["location"]
    )
    assert "This version is in operation." in same.text and "/operate" not in same.text
    listed = operator.get("/operator/schemes/audit")
    assert "judgment-debtors@" in listed.text and "may not operate" in listed.text and "may operate" in listed.text


@pytest.mark.parametrize(
    ("data", "files", "status", "words"),
    [
        ({"text": "scheme: ["}, None, 303, "not valid YAML"),
        ({"text": "just text"}, None, 303, "must be a mapping"),
        ({"text": ""}, None, 422, "choose a scheme file"),
        ({}, {"file": ("s.yaml", b"\xff\xfe\x00", "application/yaml")}, 422, "not UTF-8"),
        ({}, {"file": ("s.yaml", b"x" * 1_000_001, "application/yaml")}, 422, "at most"),
        ({"text": "a: \x00"}, None, 422, "NUL"),
    ],
)
def test_a_bad_scheme_document_is_refused_or_located(
    portal: Portal, data: dict[str, str], files: object, status: int, words: str
) -> None:
    operator = portal.reader("operator")
    response = operator.post("/operator/schemes/audit", data, files=files)
    assert response.status_code == status, response.text
    shown = operator.get(response.headers["location"]) if status == 303 else response
    assert words in shown.text


def test_only_the_operator_reaches_the_operator_pages(portal: Portal) -> None:
    kept = portal.reader("operator").post("/operator/schemes/audit", {"text": shipped_text("rongcheng")})
    paths = ["/operator", "/operator/audit", "/operator/schemes/audit", kept.headers["location"]]
    for who in ("alice", "court", "seller", "reviewer"):
        reader = portal.reader(who)
        for path in paths:
            assert reader.get(path).status_code == 403, (who, path)
        assert reader.post("/operator/outbox/send").status_code == 403
        assert reader.post("/operator/schemes/audit", {"text": "x: 1"}).status_code == 403
    assert portal.reader().get("/operator").status_code == 303
    assert portal.reader("operator").get("/operator/schemes/audit/" + "0" * 64).status_code == 404


LONGER = (
    shipped_text("judgment-debtors")
    .replace('version: "2017.1"', 'version: "2026.1"')
    .replace("        - period: {years: 2}", "        - period: {years: 3}")
    .replace("        max: 3", "        max: 2")
)
"""Entries on grounds 2 to 6 last three years: an entry made 28 months ago is in force again."""


def kept(portal: Portal, text: str) -> str:
    """The proposal's page, once the operator has sent ``text`` to be audited."""
    posted = portal.reader("operator").post("/operator/schemes/audit", {"text": text})
    assert posted.status_code == 303, posted.text
    return str(posted.headers["location"])


def test_the_operator_puts_a_version_into_operation_after_confirming_what_gets_worse(portal: Portal) -> None:
    w = portal.world
    w.submit("court", w.listing(ALICE, "C-1"), w.listing(BOB, "C-2", day="2024-03-01", ground=2))
    assert w.decide("seller", BOB)["decision"] == "allow"
    assert "1 active entries" in portal.reader().get("/lists/dishonest-judgment-debtors").text
    operator = portal.reader("operator")
    where = kept(portal, LONGER)

    confirm = operator.post(f"{where}/operate")
    assert confirm.status_code == 200 and problems(confirm.text) == []
    assert "judgment-debtors@2017.1" in confirm.text and "1 of the 2 subjects compared" in confirm.text
    assert 'name="replaces" value="judgment-debtors@2017.1"' in confirm.text
    assert "<dd>2017.1</dd>" in portal.reader().get("/schemes/judgment-debtors").text  # nothing changed yet

    done = operator.post(f"{where}/operate", {"confirm": "yes", "replaces": "judgment-debtors@2017.1"})
    assert done.status_code == 303 and done.headers["location"] == f"{where}?operated=1"
    page = operator.get(done.headers["location"])
    assert "judgment-debtors@2026.1 is in operation from now on" in page.text and problems(page.text) == []
    assert "This version is in operation." in page.text and "Versions of this scheme put into operation" in page.text

    assert "judgment-debtors@2026.1" in operator.get("/operator").text
    assert "judgment-debtors@2017.1" not in operator.get("/operator").text
    assert "<dd>2026.1</dd>" in portal.reader().get("/schemes/judgment-debtors").text
    assert w.decide("seller", BOB)["decision"] == "deny"
    assert "2 active entries" in portal.reader().get("/lists/dishonest-judgment-debtors").text  # not the kept page
    notified = [n["subject_id"] for n in w.sender.sent if n["body"]["items"][0]["kind"] == "scheme_changed"]
    assert notified == [BOB]
    mine = portal.reader("bob").get("/me/notices").text
    assert "A new version of a scheme changes your result" in mine and "in place of judgment-debtors@2017.1" in mine
    assert "The audit log is intact" in operator.get("/operator/audit").text


def test_a_restarted_portal_keeps_the_version_put_into_operation(portal: Portal, tmp_path: Path) -> None:
    w = portal.world
    where = kept(portal, LONGER)
    portal.reader("operator").post(f"{where}/operate", {"confirm": "yes", "replaces": "judgment-debtors@2017.1"})
    app = create_app(Settings(data_dir=tmp_path), store=w.store, clock=lambda: w.now[0], sender=MemorySender())
    with TestClient(app) as client:
        assert "<dd>2026.1</dd>" in client.get("/schemes/judgment-debtors").text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            LONGER.replace("legal_basis: SPC Provisions (法释〔2017〕7号), Art. 1 and Art. 2", "legal_basis: tbd"),
            "legal",
        ),
        (LONGER.replace("purpose: operation", "purpose: lab"), "lab scheme"),
        (shipped_text("judgment-debtors").replace("        max: 3", "        max: 2"), "needs a new version"),
    ],
    ids=["audit-error", "lab", "same-version-other-content"],
)
def test_a_version_that_may_not_operate_is_refused_and_changes_nothing(portal: Portal, text: str, words: str) -> None:
    operator = portal.reader("operator")
    where = kept(portal, text)
    confirm = operator.post(f"{where}/operate")
    assert confirm.status_code == 200 and words in confirm.text and 'name="confirm"' not in confirm.text
    refused = operator.post(f"{where}/operate", {"confirm": "yes", "replaces": "judgment-debtors@2017.1"})
    assert refused.status_code == 422 and words in refused.text
    assert "<dd>2017.1</dd>" in portal.reader().get("/schemes/judgment-debtors").text
    assert "scheme.operate" in operator.get("/operator").text  # in the refusal log


def test_only_the_operator_with_the_page_s_csrf_puts_a_version_into_operation(portal: Portal) -> None:
    where = kept(portal, LONGER)
    form = {"confirm": "yes", "replaces": "judgment-debtors@2017.1"}
    for who in ("alice", "court", "seller", "reviewer"):
        assert portal.reader(who).post(f"{where}/operate", form).status_code == 403, who
    assert portal.reader().post(f"{where}/operate", form).status_code == 401  # signed out
    operator = portal.reader("operator")
    assert operator.client.post(f"{where}/operate", data={**form, "csrf": "forged"}).status_code == 403
    assert operator.post("/operator/schemes/audit/" + "0" * 64 + "/operate", form).status_code == 404
    stale = operator.post(f"{where}/operate", {"confirm": "yes", "replaces": ""})
    assert stale.status_code == 409
    assert "<dd>2017.1</dd>" in portal.reader().get("/schemes/judgment-debtors").text
    assert portal.world.decide("seller", BOB)["decision"] == "allow"


def test_the_confirmation_reads_in_chinese(portal: Portal) -> None:
    where = kept(portal, LONGER)
    page = portal.reader("operator", "zh_CN").post(f"{where}/operate")
    assert page.status_code == 200 and "确认施行" in page.text and "所取代的版本" in page.text
    assert problems(page.text) == []
