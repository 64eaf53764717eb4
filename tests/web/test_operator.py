"""The operator's pages: schemes and their audits, the outbox and sending it, the refusal log, the audit log's head
and verification, and the rights audit of a proposed scheme; nobody else reaches them."""

from __future__ import annotations

import re

import pytest

from socialcredit.scheme.registry import shipped_text
from tests.api.conftest import ALICE
from tests.web.conftest import Portal


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


def test_a_proposed_scheme_is_audited_and_can_be_put_into_operation_at_the_next_start(portal: Portal) -> None:
    operator = portal.reader("operator")
    text = shipped_text("judgment-debtors")
    posted = operator.post("/operator/schemes/audit", files={"file": ("jd.yaml", text.encode(), "application/yaml")})
    assert posted.status_code == 303
    assert re.fullmatch(r"/operator/schemes/audit/[0-9a-f]{64}", posted.headers["location"])
    page = operator.get(posted.headers["location"])
    assert "This version may be put into operation" in page.text and "socialcredit serve" in page.text
    broken = text.replace("legal_basis: SPC Provisions (法释〔2017〕7号), Art. 1 and Art. 2", "legal_basis: tbd")
    bad = operator.get(operator.post("/operator/schemes/audit", {"text": broken}).headers["location"])
    assert "This version may not be put into operation" in bad.text and "socialcredit serve" not in bad.text
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
