"""The public list page after its entries are kept (:mod:`socialcredit.service.public_lists`): a listing, an
exit and an objection made through the API or the portal show on the next page read."""

from __future__ import annotations

from tests.api.conftest import ALICE, BOB
from tests.web.conftest import Portal

LIST = "dishonest-judgment-debtors"
DISPUTED = "disputed: under objection"


def entries_table(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return main[: main.index("How an entry ends")]


def test_a_listing_an_exit_and_an_objection_show_on_the_next_page_read(portal: Portal) -> None:
    w = portal.world
    alice = w.listing(ALICE, "(2026)鲁1082执1号")
    w.submit("court", alice)
    reader = portal.reader()
    first = entries_table(reader.get(f"/lists/{LIST}").text)
    assert "(2026)鲁1082执1号" in first and DISPUTED not in first
    assert entries_table(reader.get(f"/lists/{LIST}").text) == first

    w.submit("court", w.listing(BOB, "(2026)鲁1082执2号", day="2026-06-02"))
    listed = entries_table(reader.get(f"/lists/{LIST}").text)
    assert "(2026)鲁1082执1号" in listed and "(2026)鲁1082执2号" in listed and "2 active entries" in listed

    objected = portal.reader("alice").post(
        "/me/object",
        {
            "kind": "record",
            "scheme": "judgment-debtors",
            "authority": "RC-COURT",
            "record_id": alice["record_id"],
            "statement": "settled before listing",
        },
    )
    assert objected.status_code == 303, objected.text
    disputed = entries_table(reader.get(f"/lists/{LIST}").text)
    assert disputed.count(DISPUTED) == 1
    assert disputed.index("(2026)鲁1082执2号") < disputed.index(DISPUTED) < disputed.index("(2026)鲁1082执1号")

    exit_ = {
        "record_id": w.fresh_id("X"),
        "subject_id": BOB,
        "type": "court.obligation_performed",
        "occurred_at": "2026-06-29",
        "attributes": {"case_no": "(2026)鲁1082执2号"},
        "legal_basis": "SPC Provisions (法释〔2017〕7号), Art. 10",
    }
    w.submit("court", exit_)
    after = entries_table(reader.get(f"/lists/{LIST}").text)
    assert "(2026)鲁1082执2号" not in after and "(2026)鲁1082执1号" in after and DISPUTED in after
    api = w.ok(None, "GET", f"/v1/public/lists/{LIST}/entries")
    assert [(e["key"], e["disputed"]) for e in api["items"]] == [("(2026)鲁1082执1号", True)]
