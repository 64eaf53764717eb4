"""Scheme rules in plain words, in both languages: conditions, grade predicates and periods."""

from __future__ import annotations

from typing import Any

import pytest

from socialcredit.catalogue.loading import shipped_catalogue, shipped_measures
from socialcredit.scheme.conditions import Condition
from socialcredit.scheme.model import Period, Predicate
from socialcredit.web import wording
from socialcredit.web.i18n import Language

EN, ZH = Language("en"), Language("zh_CN")


@pytest.mark.parametrize(
    ("condition", "en", "zh"),
    [
        (None, "", ""),
        ({"attribute": "adjudicated", "eq": True}, "“adjudicated” is yes", "“adjudicated”为是"),
        ({"attribute": "paid", "eq": False}, "“paid” is no", "“paid”为否"),
        ({"attribute": "ground", "eq": 1}, "“ground” is 1", "“ground”为1"),
        ({"attribute": "court", "ne": "x"}, "“court” is not “x”", "“court”不为“x”"),
        ({"attribute": "amount", "ge": 100000}, "“amount” is at least 100000", "“amount”不低于100000"),
        ({"attribute": "amount", "lt": 5}, "“amount” is less than 5", "“amount”小于5"),
        ({"attribute": "amount", "le": 5}, "“amount” is at most 5", "“amount”不超过5"),
        ({"attribute": "amount", "gt": 0.5}, "“amount” is more than 0.5", "“amount”大于0.5"),
        ({"attribute": "ground", "in": [2, 3]}, "“ground” is one of 2, 3", "“ground”为2、3之一"),
        ({"attribute": "amount", "present": True}, "“amount” is given", "载明“amount”"),
        ({"attribute": "amount", "present": False}, "“amount” is not given", "未载明“amount”"),
        (
            {"all": [{"attribute": "a", "eq": 1}, {"attribute": "b", "eq": 2}]},
            "“a” is 1 and “b” is 2",
            "“a”为1且“b”为2",
        ),
        (
            {"any": [{"attribute": "a", "eq": 1}, {"all": [{"attribute": "b", "eq": 2}, {"attribute": "c", "eq": 3}]}]},
            "“a” is 1 or (“b” is 2 and “c” is 3)",
            "“a”为1或（“b”为2且“c”为3）".replace("（", "(").replace("）", ")"),
        ),
        ({"not": {"attribute": "a", "eq": 1}}, "not (“a” is 1)", "非（“a”为1）"),
    ],
)
def test_a_condition_in_words(condition: dict[str, Any] | None, en: str, zh: str) -> None:
    parsed = None if condition is None else Condition.model_validate(condition)
    assert wording.condition(parsed, EN) == en
    assert wording.condition(parsed, ZH) == zh


def titles(record_type: str) -> str:
    return {"traffic.drunk_driving": "Drunk driving", "tax.crime": "Tax crime"}.get(record_type, record_type)


@pytest.mark.parametrize(
    ("predicate", "en", "zh"),
    [
        ({"score": {"lt": 600}}, "the score is below 600", "分值低于600"),
        (
            {"score": {"ge": 70, "lt": 90}},
            "the score is at least 70 and the score is below 90",
            "分值不低于70且分值低于90",
        ),
        ({"counting": "drunk-driving"}, "a record scored by rule “drunk-driving” still counts", None),
        (
            {"has_record": {"types": ["tax.crime"], "within": "evaluation_year"}},
            "there is a record “Tax crime” in the year evaluated",
            "评价年度内有“Tax crime”记录",
        ),
        (
            {"has_record": {"types": ["tax.crime", "traffic.drunk_driving"], "within": {"years": 3}}},
            "there is a record “Tax crime” or “Drunk driving” within the last 3 years",
            "最近3年内有“Tax crime”或“Drunk driving”记录",
        ),
        (
            {"has_record": {"types": ["tax.crime"], "within": {"years": 1}, "when": {"attribute": "amount", "ge": 1}}},
            "there is a record “Tax crime” within the last 1 year, where “amount” is at least 1",
            None,
        ),
        ({"previous_grades": {"years": 1, "grades": ["D"]}}, "the grade at the end of the previous year was D", None),
        (
            {"previous_grades": {"years": 2, "assigned_by": ["direct-d"]}},
            "the grade at the end of one of the previous 2 years was set by “direct-d”",
            "前2个年度中任一年度末等级由“direct-d”直接确定",
        ),
        (
            {"not": {"any": [{"score": {"eq": 1}}, {"counting": "x"}]}},
            "not (the score is 1 or a record scored by rule “x” still counts)",
            None,
        ),
    ],
)
def test_a_grade_predicate_in_words(predicate: dict[str, Any], en: str, zh: str | None) -> None:
    parsed = Predicate.model_validate(predicate)
    assert wording.predicate(parsed, EN, titles) == en
    chinese = wording.predicate(parsed, ZH, titles)
    assert chinese and chinese != en
    if zh is not None:
        assert chinese == zh


@pytest.mark.parametrize(
    ("period", "en", "zh"),
    [
        (None, "", ""),
        (Period(years=1), "1 year", "1年"),
        (Period(years=2, months=3), "2 years 3 months", "2年3个月"),
        (Period(months=1, days=10), "1 month 10 days", "1个月10天"),
    ],
)
def test_a_period_in_words(period: Period | None, en: str, zh: str) -> None:
    assert wording.period(period, EN) == en
    assert wording.period(period, ZH) == zh


def test_titles_are_chinese_on_chinese_pages_where_the_catalogue_has_them() -> None:
    catalogue, measures = shipped_catalogue(), shipped_measures()
    assert wording.record_title(catalogue, "court.dishonest_listing", ZH) == "纳入失信被执行人名单"
    assert wording.record_title(catalogue, "court.dishonest_listing", EN) == "Listed as a dishonest judgment debtor"
    untitled = next(e for e in catalogue.record_types if not e.title_zh)
    assert wording.record_title(catalogue, untitled.type, ZH) == untitled.title
    assert wording.record_title(catalogue, "no.such_type", ZH) == "no.such_type"
    assert wording.action_title(measures, "buy_air_ticket", EN) == "Buying a flight ticket"
    assert wording.action_title(measures, "no_such_action", ZH) == "no_such_action"
