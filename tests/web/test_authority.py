"""The authority's pages: its profile, a record file uploaded, reported row by row, fixed and committed; list
entries issued and ended with their decision documents; what it submitted and the cases about it; and what a
party reaching for another's gets."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import ALICE, BOB, SHANGHAI_PERSON, entry_target
from tests.web.conftest import Portal, Reader

HEADER = "record_id,subject_id,type,occurred_at,case_no,ground,legal_basis\n"
BASIS = "SPC Provisions (法释〔2017〕7号) Art. 1"


def row(record_id: str, subject: str = ALICE, case: str = "(2026)鲁1082执1号", ground: str = "1") -> str:
    return f"{record_id},{subject},court.dishonest_listing,2026-06-01,{case},{ground},{BASIS}\n"


def upload(reader: Reader, body: bytes, name: str = "june.csv", source: str = "June") -> str:
    """Upload a file; the id of its report page."""
    response = reader.post("/authority/upload", {"source": source}, files={"file": (name, body, "text/csv")})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert re.fullmatch(r"/authority/upload/UP-[0-9A-F]{32}", location)
    return location.rsplit("/", 1)[1]


def records_of(portal: Portal) -> int:
    return len(portal.world.store.load_records())


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_authority_page_names_the_authority_and_what_it_may_submit(portal: Portal, language: str) -> None:
    page = portal.reader("court", language).get("/authority")
    assert page.status_code == 200
    assert "Rongcheng People&#39;s Court" in page.text or "Rongcheng People's Court" in page.text
    assert "court.dishonest_listing" in page.text and "registry." not in page.text
    assert ("纳入失信被执行人名单" in page.text) == (language == "zh_CN")


def test_a_file_with_one_bad_row_is_named_then_fixed_and_committed(portal: Portal) -> None:
    clerk = portal.reader("court")
    bad = upload(clerk, (HEADER + row("L1") + row("L2", subject=BOB, ground="9")).encode())
    report = clerk.get(f"/authority/upload/{bad}")
    assert report.status_code == 200
    assert "The file cannot be committed" in report.text and "june.csv" in report.text
    assert "attributes.ground" in report.text and "<td>2</td>" in report.text
    assert "/commit" not in report.text and records_of(portal) == 0
    outside = clerk.get(f"/authority/upload/{upload(clerk, (HEADER + row('L3', subject=SHANGHAI_PERSON)).encode())}")
    assert "outside the jurisdiction" in outside.text and SHANGHAI_PERSON not in outside.text
    good = upload(clerk, (HEADER + row("L1") + row("L2", subject=BOB)).encode())
    preview = clerk.get(f"/authority/upload/{good}")
    assert "The file passed every check" in preview.text and "List entries it would open" in preview.text
    assert ALICE not in preview.text and BOB not in preview.text  # masked
    assert records_of(portal) == 0
    done = clerk.post(f"/authority/upload/{good}/commit")
    assert done.status_code == 303 and done.headers["location"] == f"/authority/receipts/{good}"
    receipt = clerk.get(done.headers["location"])
    assert receipt.status_code == 200 and "Decision documents of the list entries opened" in receipt.text
    assert ALICE not in receipt.text
    assert records_of(portal) == 2
    assert clerk.post(f"/authority/upload/{good}/commit").status_code == 409  # once
    assert records_of(portal) == 2
    submitted = clerk.get("/authority/submitted")
    assert submitted.status_code == 200 and "June" in submitted.text


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        ("june.txt", b"record_id\n", 422),
        ("june.csv", b"", 422),
        ("june.csv", b"\x00\x01\x02\xff\xfe binary", 200),
        ("june.csv", HEADER.encode() + b"L1,\xed\xa0\x80,court.dishonest_listing,2026-06-01,c,1,b\n", 200),
        ("june.jsonl", b'{"record_id": "L1", "subject_id": "\\ud800", "type": "court.x", "occurred_at": "x"}\n', 200),
    ],
)
def test_harmful_files_are_refused_or_reported_and_nothing_is_written(
    portal: Portal, name: str, body: bytes, status: int
) -> None:
    clerk = portal.reader("court")
    response = clerk.post("/authority/upload", files={"file": (name, body, "application/octet-stream")})
    if status == 422:
        assert (
            response.status_code == 422 and "Nothing was written" in response.text and "Problems found" in response.text
        )
    else:
        assert response.status_code == 303
        report = clerk.get(response.headers["location"])
        assert report.status_code == 200 and "The file cannot be committed" in report.text
        assert "/commit" not in report.text
    assert records_of(portal) == 0


def test_an_oversize_upload_is_refused(portal: Portal) -> None:
    clerk = portal.reader("court")
    limit = portal.world.client.app.state.portal.platform.settings.max_request_bytes
    response = clerk.post("/authority/upload", files={"file": ("big.csv", b"x" * (limit + 10), "text/csv")})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")  # a page, as every refusal on the portal
    assert "What you sent is too large" in response.text and f"larger than {limit} bytes" in response.text
    zh = portal.reader("court", "zh_CN").post("/authority/upload", files={"file": ("b.csv", b"x" * (limit + 10))})
    assert zh.status_code == 413 and 'lang="zh' in zh.text
    api = portal.world.client.post("/v1/records", content=b"x" * (limit + 10))
    assert api.status_code == 413 and api.json()["detail"].startswith("the request body is larger")
    assert records_of(portal) == 0


def test_a_missing_file_or_forged_csrf_is_refused(portal: Portal) -> None:
    clerk = portal.reader("court")
    assert clerk.post("/authority/upload", {"source": "x"}).status_code == 422
    forged = clerk.client.post(
        "/authority/upload", data={"csrf": "forged"}, files={"file": ("a.csv", (HEADER + row("L1")).encode())}
    )
    assert forged.status_code == 403
    kept = upload(clerk, (HEADER + row("L1")).encode())
    assert clerk.client.post(f"/authority/upload/{kept}/commit", data={"csrf": "forged"}).status_code == 403
    assert records_of(portal) == 0


def test_another_partys_upload_is_not_found_and_other_roles_are_refused(portal: Portal) -> None:
    kept = upload(portal.reader("court"), (HEADER + row("L1")).encode())
    other = portal.reader("registry")
    assert other.get(f"/authority/upload/{kept}").status_code == 404
    assert other.post(f"/authority/upload/{kept}/commit").status_code == 404
    assert other.get(f"/authority/receipts/{kept}").status_code == 404
    for who in ("alice", "seller", "reviewer", "operator"):
        reader = portal.reader(who)
        for path in ("/authority", "/authority/upload", f"/authority/upload/{kept}", "/authority/lists"):
            assert reader.get(path).status_code == 403, (who, path)
        assert reader.post(f"/authority/upload/{kept}/commit").status_code == 403
    public = portal.reader()
    assert public.get("/authority/upload").status_code == 303  # to sign in
    assert records_of(portal) == 0
    refusals = portal.world.ok("operator", "GET", "/v1/operator/refusals", params={"limit": 1000})["items"]
    assert any(r["party"] == "registry" and r["action"] == "records.upload" for r in refusals)


def entry_form(reader: Reader, step: str = "entry") -> dict[str, str]:
    page = reader.get("/authority/lists")
    assert page.status_code == 200
    ids = re.findall(r'name="record_id" value="(WEB-[0-9A-F]{16})"', page.text)
    return {"record_id": ids[0 if step == "entry" else 1]}


def test_a_list_entry_is_issued_and_ended_with_its_decision_document(portal: Portal) -> None:
    clerk = portal.reader("court")
    page = clerk.get("/authority/lists")
    assert "List of dishonest judgment debtors" in page.text and 'name="attr_ground"' in page.text
    form = {
        **entry_form(clerk),
        "subject_id": ALICE,
        "attr_case_no": "(2026)鲁1082执9号",
        "attr_ground": "2",
        "occurred_at": "2026-06-01",
        "legal_basis": BASIS,
        "source_ref": "(2026)鲁1082执9号决定书",
    }
    issued = clerk.post("/authority/lists/dishonest-judgment-debtors/entry", form)
    assert issued.status_code == 303, issued.text
    receipt = clerk.get(issued.headers["location"])
    assert "Decision documents of the list entries opened" in receipt.text and ALICE not in receipt.text
    again = clerk.post("/authority/lists/dishonest-judgment-debtors/entry", form)  # the same form twice
    assert again.status_code == 303 and "No list entry was opened" in clerk.get(again.headers["location"]).text
    assert records_of(portal) == 1
    ended = clerk.post(
        "/authority/lists/dishonest-judgment-debtors/exit",
        {
            **entry_form(clerk, "exit"),
            "type": "court.obligation_performed",
            "subject_id": ALICE,
            "attr_case_no": "(2026)鲁1082执9号",
            "occurred_at": "2026-06-20",
            "legal_basis": BASIS,
            "source_ref": "performed",
        },
    )
    assert ended.status_code == 303 and records_of(portal) == 2
    assert portal.world.decide("seller", ALICE)["decision"] == "allow"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject_id": ""}, "subject_id"),
        ({"subject_id": "110101199001011234"}, "subject_id"),
        ({"subject_id": SHANGHAI_PERSON}, "subject_id"),
        ({"attr_ground": "seven"}, "attributes.ground"),
        ({"attr_ground": "9"}, "attributes.ground"),
        ({"occurred_at": "01/06/2026"}, "occurred_at"),
        ({"legal_basis": "x\x00y"}, "legal_basis"),
        ({"source_ref": "x" * 2001}, "source_ref"),
        ({"record_id": "../etc"}, "record_id"),
        ({"type": "court.judgment"}, "type"),
    ],
)
def test_a_bad_entry_form_names_the_field_and_writes_nothing(
    portal: Portal, change: dict[str, str], field: str
) -> None:
    clerk = portal.reader("court")
    form = {
        **entry_form(clerk),
        "subject_id": ALICE,
        "attr_case_no": "C1",
        "attr_ground": "1",
        "occurred_at": "2026-06-01",
        "legal_basis": BASIS,
        "source_ref": "ref",
        **change,
    }
    step = "exit" if "type" in change else "entry"
    response = clerk.post(f"/authority/lists/dishonest-judgment-debtors/{step}", form)
    assert response.status_code == 422, response.text
    assert field in response.text and "Nothing was written" in response.text
    assert SHANGHAI_PERSON not in response.text and "110101199001011234" not in response.text
    assert 'name="attr_ground"' in response.text  # the form again
    if field not in ("source_ref", "type"):
        assert 'value="ref"' in response.text  # filled in as it was sent
    assert records_of(portal) == 0


def test_a_list_the_authority_does_not_issue_is_not_found(portal: Portal) -> None:
    registry = portal.reader("registry")
    assert "no list of the schemes in operation" in registry.get("/authority/lists").text
    response = registry.post("/authority/lists/dishonest-judgment-debtors/entry", {"subject_id": ALICE})
    assert response.status_code == 404 and records_of(portal) == 0


def test_submitted_shows_only_the_authoritys_own_batches_and_cases(portal: Portal) -> None:
    w = portal.world
    w.submit("court", w.listing(ALICE, "C-77"))
    w.object_to("alice", "judgment-debtors", entry_target("dishonest-judgment-debtors", "C-77"), "I paid.")
    page = portal.reader("court").get("/authority/submitted")
    assert page.status_code == 200 and "objection" in page.text and "OBJ-" in page.text
    assert ALICE not in page.text and "I paid." not in page.text
    other = portal.reader("registry").get("/authority/submitted")
    assert "OBJ-" not in other.text and "has submitted nothing yet" in other.text


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        (row("L1", ground="9"), "1 problem was found. Nothing was written. Correct the row named below"),
        (row("L1", ground="9") + row("L2", ground="0"), "2 problems were found. Nothing was written. Correct the rows"),
    ],
)
def test_the_report_counts_its_problems_in_words_that_agree(portal: Portal, rows: str, said: str) -> None:
    clerk = portal.reader("court")
    report = clerk.get(f"/authority/upload/{upload(clerk, (HEADER + rows).encode())}")
    assert said in report.text
    zh = portal.reader("court", "zh_CN").get(f"/authority/upload/{upload(clerk, (HEADER + rows).encode())}")
    assert f"发现 {said[0]} 处问题" in zh.text
