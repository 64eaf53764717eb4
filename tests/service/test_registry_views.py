"""The registry's view: search by code or name, and an organization's public credit page — registration, the
notices the schemes publish today (taken down at the end of their period, not shown when out of use), list
entries, and only the grades a scheme publishes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from socialcredit.authorities import Authority
from socialcredit.errors import InputError, InvalidIdentifier, NotFound
from socialcredit.scheme.loader import load_scheme_text
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, Role, add_party
from socialcredit.service.platform import Platform
from socialcredit.service.public_views import mask_subject
from socialcredit.service.registry_views import fold, looks_like_code, organization_code
from socialcredit.settings import Settings
from socialcredit.store import Store
from tests.factories import organization, person, record

REGISTRY = Party("registry", Role.AUTHORITY, "registry", authority="RC-SAMR")
COURT = Party("court", Role.AUTHORITY, "court", authority="RC-COURT")
TAX = Party("tax", Role.AUTHORITY, "tax", authority="RC-TAX")
HAIDA, HONGTAI, NAMELESS = organization(1), organization(2), organization(3)
REPRESENTATIVE = person(7)


@pytest.fixture
def setup(store: Store, tmp_path: Path) -> tuple[Platform, list[datetime]]:
    store.add_authority(Authority("RC-SAMR", "荣成市市场监督管理局", "371082", ("registry.*", "commerce.*")))
    store.add_authority(Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",)))
    store.add_authority(Authority("RC-TAX", "Rongcheng Taxation Bureau", "371082", ("tax.*",)))
    for party in (REGISTRY, COURT, TAX):
        add_party(store, party)
    now = [datetime(2026, 6, 30, 2, 0, tzinfo=UTC)]
    platform = Platform(store, Settings(data_dir=tmp_path), clock=lambda: now[0], sender=MemorySender())
    platform.submit_records(
        REGISTRY,
        [
            record(
                HAIDA, "registry.registered", "2019-03-01", name="荣成市海达水产有限公司", entity_type="有限责任公司"
            ),
            record(HAIDA, "registry.legal_representative", "2019-03-01", person_id=REPRESENTATIVE),
            record(HONGTAI, "registry.registered", "2021-05-10", name="荣成市宏泰 Marine 有限公司"),
        ],
        source="t",
    )
    return platform, now


def test_the_shape_of_a_code_and_folding_of_names() -> None:
    assert fold(" 荣成市　ＡＢＣ ") == "荣成市abc" and looks_like_code(HAIDA) and not looks_like_code("海达")
    assert organization_code(HAIDA.lower()) == HAIDA
    with pytest.raises(InvalidIdentifier):
        organization_code(person(1))  # a person's number is no organization's code


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("海达", [HAIDA]),
        ("荣成市", [HONGTAI, HAIDA]),  # newest registration first
        ("ｍａｒｉｎｅ", [HONGTAI]),  # full-width, any case
        ("宏泰 marine", [HONGTAI]),  # spaces ignored
        (HAIDA, [HAIDA]),
        (HAIDA.lower(), [HAIDA]),
        (NAMELESS, []),  # a valid code with no registration
        ("没有这个", []),
    ],
)
def test_search_by_name_or_code(setup: Any, query: str, found: list[str]) -> None:
    platform, _ = setup
    result = platform.registry.search(query)
    assert [item["code"] for item in result["items"]] == found and result["total"] == len(found)


def test_search_results_carry_registration_and_are_paged(setup: Any) -> None:
    platform, _ = setup
    result = platform.registry.search("荣成", limit=1, offset=1)
    assert result["total"] == 2 and result["items"] == [
        {"code": HAIDA, "name": "荣成市海达水产有限公司", "entity_type": "有限责任公司", "registered": "2019-03-01"}
    ]


def test_a_search_by_name_sees_a_new_registration_and_a_correction_at_once(setup: Any) -> None:
    platform, _ = setup
    assert [i["code"] for i in platform.registry.search("荣成")["items"]] == [HONGTAI, HAIDA]
    platform.submit_records(
        REGISTRY, [record(NAMELESS, "registry.registered", "2022-01-01", name="荣成新公司")], source="t"
    )
    assert [i["code"] for i in platform.registry.search("荣成")["items"]] == [NAMELESS, HONGTAI, HAIDA]
    (old,) = [r for r in platform.context.store.effective(subject_ids=[HAIDA]) if r.type == "registry.registered"]
    renamed = record(HAIDA, "registry.registered", "2019-03-01", supersedes=old.record_id, name="威海海达水产有限公司")
    platform.submit_records(REGISTRY, [renamed], source="t")
    assert [i["code"] for i in platform.registry.search("荣成")["items"]] == [NAMELESS, HONGTAI]
    assert [i["name"] for i in platform.registry.search("海达")["items"]] == ["威海海达水产有限公司"]


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("", InputError),
        ("   ", InputError),
        ("海", InputError),  # one character
        ("x" * 101, InputError),
        ("a\x00b", InputError),
        ("海\ud800达", InputError),
        ("91371082MA3C00000X", InvalidIdentifier),  # the form of a code, not a valid one
    ],
)
def test_search_refuses_what_it_cannot_search_naming_q(setup: Any, query: str, kind: type[Exception]) -> None:
    platform, _ = setup
    with pytest.raises(kind) as caught:
        platform.registry.search(query)
    assert [p.field for p in caught.value.problems] == ["q"]  # type: ignore[attr-defined]


def test_the_public_page_of_an_organization(setup: Any) -> None:
    platform, _ = setup
    org = platform.registry.organization(HAIDA)
    assert org["name"] == "荣成市海达水产有限公司" and org["registered"] == "2019-03-01"
    assert org["registered_by"] == "RC-SAMR" and org["registered_by_name"] == "荣成市市场监督管理局"
    assert org["legal_representative"] == mask_subject(REPRESENTATIVE) != REPRESENTATIVE
    assert org["as_of"] == "2026-06-30"
    assert org["notices"] == [] and org["list_entries"] == []


@pytest.mark.parametrize(("code", "kind"), [(NAMELESS, NotFound), ("91371082MA3C00000X", InvalidIdentifier)])
def test_no_page_without_a_registration_or_a_valid_code(setup: Any, code: str, kind: type[Exception]) -> None:
    platform, _ = setup
    with pytest.raises(kind):
        platform.registry.organization(code)


def test_a_list_entry_is_on_the_page_with_its_authority(setup: Any) -> None:
    platform, _ = setup
    platform.submit_records(
        COURT, [record(HAIDA, "court.dishonest_listing", "2026-06-01", case_no="C9", ground=1)], source="t"
    )
    (entry,) = platform.registry.organization(HAIDA)["list_entries"]
    assert entry["key"] == "C9" and entry["issued_by_name"] == "Rongcheng People's Court"
    assert entry["subject"] == HAIDA and entry["name"] == "荣成市海达水产有限公司"  # an organization's code is public


def test_a_penalty_notice_is_published_for_its_period_only(setup: Any) -> None:
    platform, now = setup
    evasion = record(HAIDA, "tax.evasion", "2026-03-01", amount=300_000, share_of_tax_due=0.2)
    platform.submit_records(TAX, [evasion], source="t")
    (notice,) = platform.registry.organization(HAIDA)["notices"]
    assert notice["kind"] == "penalty" and notice["publication_id"] == "major-tax-violations"
    assert notice["party"] == "荣成市海达水产有限公司" and notice["code"] == HAIDA
    assert notice["amount"] == 300_000 and notice["day"] == "2026-03-01"
    assert notice["published_until"] == "2029-03-01" and notice["authority_name"] == "Rongcheng Taxation Bureau"
    assert notice["disputed"] is False and notice["record_title"]
    now[0] = datetime(2029, 3, 2, 2, 0, tzinfo=UTC)  # three years later: taken down without anyone acting
    assert platform.registry.organization(HAIDA)["notices"] == []


def test_a_notice_carries_the_standard_fields_of_its_record(setup: Any, tmp_path: Path) -> None:
    platform, _ = setup
    text = (Path("src/socialcredit/schemes/tax-credit.yaml")).read_text("utf-8")
    scheme = load_scheme_text(
        text.replace(
            "record_types: [tax.crime, tax.evasion]",
            "record_types: [tax.crime, tax.evasion, commerce.counterfeit_goods]",
        )
    )
    other = Platform(platform.store, Settings(data_dir=tmp_path), schemes=[scheme], clock=platform.context.clock)
    fields = {
        "decision_no": "荣市监罚〔2026〕8号",
        "violation": "以次充好",
        "facts": "经查……",
        "penalty": "罚款",
        "fine": 5000,
    }
    other.submit_records(REGISTRY, [record(HAIDA, "commerce.counterfeit_goods", "2026-05-01", **fields)], source="t")
    (notice,) = [
        n for n in other.registry.organization(HAIDA)["notices"] if n["record_type"] == "commerce.counterfeit_goods"
    ]
    assert {k: notice[k] for k in ("decision_no", "violation", "facts", "penalty", "amount")} == {
        **{k: v for k, v in fields.items() if k != "fine"},
        "amount": 5000,
    }


def test_only_a_published_grade_is_shown_for_the_last_complete_year(setup: Any) -> None:
    platform, _ = setup
    platform.submit_records(
        TAX,
        [record(HAIDA, "tax.revenue_reported", f"{y}-04-10", revenue=1_000_000) for y in range(2019, 2027)],
        source="t",
    )
    (rating,) = platform.registry.organization(HAIDA)["ratings"]
    assert rating["scheme"] == "tax-credit" and rating["grade"] == "A" and rating["period"] == "2025"
    assert "published" in rating["legal_basis"]
    # A late filing and an unpaid arrears in 2025 take it below A: a B is not published.
    platform.submit_records(
        TAX,
        [record(HAIDA, "tax.late_filing", "2025-05-01"), record(HAIDA, "tax.unpaid_arrears", "2025-06-01")],
        source="t",
    )
    assert platform.registry.organization(HAIDA)["ratings"] == []


def test_a_rating_of_a_year_the_organization_did_not_exist_is_not_shown(setup: Any) -> None:
    platform, now = setup
    late = organization(9)
    platform.submit_records(
        REGISTRY, [record(late, "registry.registered", "2026-02-01", name="荣成市新设有限公司")], source="t"
    )
    assert platform.registry.organization(late)["ratings"] == []
    now[0] += timedelta(days=366)  # a year on, 2026 is a year it existed in
    assert platform.registry.organization(late)["ratings"] == []  # operating less than 3 years: no A


@pytest.mark.parametrize(
    "grades",
    [
        "  published: [AAA]\n  published_basis: a law that publishes them\n",  # not on the scale
        "  published: [A]\n",  # no law says so
    ],
)
def test_a_scheme_publishes_a_grade_only_on_its_scale_with_a_legal_basis(grades: str) -> None:
    text = Path("src/socialcredit/schemes/tax-credit.yaml").read_text("utf-8")
    start = text.index("  published: [A]")
    end = text.index("\n", text.index("  published_basis:", start)) + 1
    with pytest.raises(InputError):
        load_scheme_text(text[:start] + grades + text[end:])
