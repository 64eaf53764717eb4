"""What the synthetic city's market regulator decides about a business besides registering it: the licences it
grants and the penalties it imposes, with the fields their public notices carry (双公示).

A business's licences and penalties are drawn from a random stream of their own
(``{seed}/organization/{index}/market``), never from the organization's main stream, so adding them moved no
other record's day, type, identifier or attribute. Social organizations get none: the market regulator does not
license an association.

The licences are the market regulator's own (食品生产许可证, 食品经营许可证, 工业产品生产许可证, 特种设备生产许可证),
each for the industries whose names need it, valid 5 years and renewed before it runs out (食品生产许可管理办法
2020, Art. 35; 食品经营许可和备案管理办法 2023, Art. 27; 工业产品生产许可证管理条例, Art. 22).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import NamedTuple

from socialcredit.dates import add_years
from socialcredit.lab.conduct import Event, day_between
from socialcredit.lab.registry_texts import penalty_fields
from socialcredit.records import Scalar

LICENCE_FIELDS: tuple[str, ...] = ("licence_no", "licence_name", "content", "valid_from", "valid_until")
"""The notice fields every licence record of the city carries, in file order."""

LICENCE_YEARS = 5
LICENSED_SHARE = 0.8
"""Share of the businesses of a licensed industry that hold its licence (the rest only trade in what needs none)."""
PENALISED_SHARE = 0.06
"""Share of businesses penalised by the market regulator in the window (a few twice)."""
BUSINESS_MEDIAN_VALUE = 150_000
"""The median value, in yuan, of the goods or dealings a business's penalty is about (a person's is 30,000)."""


class _Licence(NamedTuple):
    name: str
    number: str
    """The number's pattern: ``{category}``, ``{division}``, ``{province}``, ``{serial}``, ``{check}`` and
    ``{expiry}`` (the year it runs out) are filled in."""
    contents: tuple[str, ...]


_FOOD_PRODUCTION = _Licence(
    "食品生产许可证",
    "SC1{category:02d}{division}{serial:04d}{check}",
    (
        "食品类别：水产制品（干制水产品、盐渍水产品）",
        "食品类别：水产制品（冷冻鱼糜制品、熟制水产品）",
        "食品类别：藻类制品",
    ),
)
_FOOD_BUSINESS = _Licence(
    "食品经营许可证",
    "JY1{division}{serial:06d}{check}",
    (
        "经营项目：预包装食品销售（含冷藏冷冻食品）",
        "经营项目：散装食品销售（不含冷藏冷冻食品）",
        "经营项目：热食类食品制售",
    ),
)
_INDUSTRIAL = _Licence(
    "全国工业产品生产许可证",
    "（{province}）XK06-{category:03d}-{serial:05d}",
    ("产品名称：电线电缆", "产品名称：危险化学品包装物、容器", "产品名称：直接接触食品的材料等相关产品"),
)
_SPECIAL_EQUIPMENT = _Licence(
    "特种设备生产许可证",
    "TS22{province_code}{serial:03d}-{expiry}",
    ("许可项目：压力容器制造（固定式压力容器）", "许可项目：起重机械安装、修理（桥式、门式起重机）"),
)
_BY_INDUSTRY: dict[str, tuple[_Licence, ...]] = {
    "水产": (_FOOD_PRODUCTION, _FOOD_BUSINESS),
    "渔业": (_FOOD_PRODUCTION,),
    "食品": (_FOOD_PRODUCTION, _FOOD_BUSINESS),
    "冷藏": (_FOOD_BUSINESS,),
    "商贸": (_FOOD_BUSINESS,),
    "旅游开发": (_FOOD_BUSINESS,),
    "电子科技": (_INDUSTRIAL,),
    "机械制造": (_SPECIAL_EQUIPMENT,),
}
"""The licences a business of an industry may hold; industries not named need none from the market regulator."""


def licences_for(industry: str) -> tuple[_Licence, ...]:
    """The licences a business of ``industry`` may hold (none for an industry the regulator does not license)."""
    return _BY_INDUSTRY.get(industry, ())


def _licence_fields(
    rng: random.Random, licence: _Licence, granted: date, division: str, province: str
) -> dict[str, Scalar]:
    until = add_years(granted, LICENCE_YEARS) - timedelta(days=1)
    number = licence.number.format(
        category=rng.randint(1, 32 if licence is _FOOD_PRODUCTION else 999),
        division=division,
        province=province,
        province_code=division[:2],
        serial=rng.randint(1, 999 if licence is _SPECIAL_EQUIPMENT else 9_999),
        check=rng.randint(0, 9),
        expiry=until.year,
    )
    return {
        "licence_no": number,
        "licence_name": licence.name,
        "content": rng.choice(licence.contents),
        "valid_from": granted.isoformat(),
        "valid_until": until.isoformat(),
    }


def licence_events(
    rng: random.Random, *, industry: str, registered: date, lo: date, hi: date, division: str, province: str
) -> list[Event]:
    """The licences granted in ``[lo, hi]`` to a business of ``industry`` registered on ``registered`` in
    ``division`` of ``province`` (its one-character name, 鲁): first a few weeks after registration, then renewed
    a few weeks before each runs out."""
    events: list[Event] = []
    for licence in licences_for(industry):
        if rng.random() >= LICENSED_SHARE:
            continue
        granted = registered + timedelta(days=rng.randint(20, 90))
        while granted <= hi:
            fields = _licence_fields(rng, licence, granted, division, province)
            if granted >= lo:
                events.append(Event(granted, "licence.granted", fields))
            granted = add_years(granted, LICENCE_YEARS) - timedelta(days=rng.randint(10, 60))
    return events


def penalty_events(rng: random.Random, *, industry: str, active_from: date, hi: date) -> list[Event]:
    """The market regulator's penalties on a business of ``industry`` active from ``active_from``: counterfeit or
    substandard goods mostly, sometimes commercial fraud, with the fields of the penalty notice."""
    if rng.random() >= PENALISED_SHARE:
        return []
    events = []
    for _ in range(1 + (rng.random() < 0.15)):
        record_type = "commerce.counterfeit_goods" if rng.random() < 0.75 else "commerce.pyramid_selling_or_fraud"
        fields = penalty_fields(rng, record_type, median_value=BUSINESS_MEDIAN_VALUE, industry=industry)
        events.append(Event(day_between(rng, active_from, hi), record_type, fields))
    return events
