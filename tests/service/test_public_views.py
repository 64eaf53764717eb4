"""The public's views of a list: filtered by region (division-code prefix) and issuing authority, with the
choices a filter offers, names where the platform holds them (organizations only), and notices' fields without
another subject's identifier or a person's name."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from socialcredit.authorities import Authority
from socialcredit.errors import InputError, NotFound
from socialcredit.records import Record
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, Role, add_party
from socialcredit.service.platform import Platform
from socialcredit.service.public_views import division_name, regions_of
from socialcredit.settings import Settings
from socialcredit.store import Store
from tests.factories import organization, person

LIST = "dishonest-judgment-debtors"
RC_PERSON, SH_PERSON = person(1), person(2, division="310101")
RC_ORG = organization(1)
COURTS = [
    (Party("rc", Role.AUTHORITY, "rc clerk", authority="RC-COURT"), Authority("RC-COURT", "荣成市人民法院", "371082")),
    (Party("sh", Role.AUTHORITY, "sh clerk", authority="SH-COURT"), Authority("SH-COURT", "黄浦区人民法院", "310101")),
]


def listing(subject: str, case_no: str, **attributes: Any) -> Record:
    return Record(
        record_id=f"L-{case_no}",
        subject_id=subject,
        type="court.dishonest_listing",
        occurred_at=date(2026, 6, 1),
        attributes={"case_no": case_no, "ground": 1, **attributes},
        legal_basis="SPC Provisions (法释〔2017〕7号), Art. 1",
    )


@pytest.fixture
def platform(store: Store, tmp_path: Path) -> Platform:
    for party, authority in COURTS:
        store.add_authority(Authority(authority.code, authority.name, authority.jurisdiction, ("court.*",)))
        add_party(store, party)
    store.add_authority(Authority("RC-REG", "registry", "371082", ("registry.*",)))
    add_party(store, reg := Party("reg", Role.AUTHORITY, "registry clerk", authority="RC-REG"))
    now = datetime(2026, 6, 30, 2, tzinfo=UTC)
    p = Platform(store, Settings(data_dir=tmp_path), clock=lambda: now, sender=MemorySender())
    rc, sh = COURTS[0][0], COURTS[1][0]
    p.submit_records(rc, [listing(RC_PERSON, "A1", name="张三"), listing(RC_ORG, "A2")], source="t")
    p.submit_records(sh, [listing(SH_PERSON, "B1")], source="t")
    registered = Record(
        record_id="REG1",
        subject_id=RC_ORG,
        type="registry.registered",
        occurred_at=date(2020, 1, 1),
        attributes={"name": "荣成某某有限公司"},
        legal_basis="Regulation on the Administration of Market Entity Registration (2021), Art. 3",
    )
    p.submit_records(reg, [registered], source="t")
    return p


@pytest.mark.parametrize(
    ("region", "authority", "keys"),
    [
        (None, None, {"A1", "A2", "B1"}),
        ("370000", None, {"A1", "A2"}),
        ("371000", None, {"A1", "A2"}),
        ("371082", None, {"A1", "A2"}),
        ("310000", None, {"B1"}),
        ("440000", None, set()),
        (None, "SH-COURT", {"B1"}),
        ("370000", "SH-COURT", set()),
        (None, "NOBODY", set()),
    ],
)
def test_entries_are_filtered_by_region_and_authority(
    platform: Platform, region: str | None, authority: str | None, keys: set[str]
) -> None:
    found = platform.public_entries(LIST, region=region, authority=authority)
    assert {e["key"] for e in found["items"]} == keys
    assert found["total"] == len(keys)


def test_the_choices_name_every_region_and_authority_with_counts(platform: Platform) -> None:
    choices = platform.public_entries(LIST, authority="SH-COURT")["choices"]  # choices ignore the filters
    regions = {r["code"]: (r["name"], r["level"], r["count"]) for r in choices["regions"]}
    assert regions["370000"] == ("山东省", "province", 2)
    assert regions["371000"] == ("威海市", "city", 2)
    assert regions["371082"] == ("荣成市", "county", 2)
    assert regions["310000"][2] == 1
    assert {a["code"]: (a["name"], a["count"]) for a in choices["authorities"]} == {
        "RC-COURT": ("荣成市人民法院", 2),
        "SH-COURT": ("黄浦区人民法院", 1),
    }


def test_an_organization_is_named_and_a_person_never_is(platform: Platform) -> None:
    items = {e["key"]: e for e in platform.public_entries(LIST)["items"]}
    assert items["A2"]["name"] == "荣成某某有限公司" and items["A2"]["subject"] == RC_ORG
    assert items["A1"]["name"] is None and items["A1"]["subject"] == "371082************"
    assert "张三" not in str(items) and RC_PERSON not in str(items)
    assert items["A1"]["issued_by_name"] == "荣成市人民法院"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"region": "37"}, "region"),
        ({"region": "abcdef"}, "region"),
        ({"region": "000000"}, "region"),
        ({"region": "37\x000000"}, "region"),
        ({"authority": "x" * 65}, "authority"),
        ({"authority": "RC\x00COURT"}, "authority"),
        ({"limit": 0}, "limit"),
        ({"limit": 5000}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(platform: Platform, kw: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        platform.public_entries(LIST, **kw)
    assert caught.value.problems[0].field == field


def test_a_list_that_is_not_published_is_not_found(platform: Platform) -> None:
    with pytest.raises(NotFound):
        platform.public.list_rule("no-such-list")
    with pytest.raises(NotFound):
        platform.public_entries("no-such-list")


@pytest.mark.parametrize(
    ("code", "regions", "name"),
    [
        ("371082", ["370000", "371000", "371082"], "荣成市"),
        ("370000", ["370000"], "山东省"),
        ("371000", ["370000", "371000"], "威海市"),
        ("000000", [], None),
        (None, [], None),
        ("999999", ["990000", "999900", "999999"], None),
    ],
)
def test_regions_of_a_division_code(code: str | None, regions: list[str], name: str | None) -> None:
    assert regions_of(code) == regions
    if code:
        assert division_name(code) == name


def test_a_notice_shows_the_fields_its_record_carries_and_who_issued_it(store: Store, tmp_path: Path) -> None:
    store.add_authority(Authority("RC-MARKET", "荣成市市场监督管理局", "371082", ("commerce.*",)))
    add_party(store, market := Party("market", Role.AUTHORITY, "market clerk", authority="RC-MARKET"))
    now = datetime(2026, 6, 30, 2, tzinfo=UTC)
    p = Platform(store, Settings(data_dir=tmp_path), clock=lambda: now, sender=MemorySender())
    penalty = Record(
        record_id="P1",
        subject_id=RC_PERSON,
        type="commerce.counterfeit_goods",
        occurred_at=date(2026, 5, 1),
        attributes={"decision_no": "荣市监罚〔2026〕12号", "fine": 5000},
        legal_basis="Product Quality Law, Art. 50",
        source_ref="荣市监罚〔2026〕12号",
    )
    p.submit_records(market, [penalty], source="t")
    (notice,) = p.public_notices("market-penalties")["items"]
    assert notice["fields"] == {"decision_no": "荣市监罚〔2026〕12号", "fine": 5000}
    assert notice["issued_by_name"] == "荣成市市场监督管理局"
    assert notice["subject"] == "371082************" and not notice["disputed"]

