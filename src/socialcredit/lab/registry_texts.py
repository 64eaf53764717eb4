"""What the synthetic city's registering authorities and market regulator write: organizations' registered names
and entity types, and the standard fields of a penalty notice (type of violation, facts, penalty, fine).

Everything here draws from random streams of its own (``{seed}/organization/{index}/name``,
``{seed}/{kind}/{index}/penalty/{k}``) and from a seeded permutation of its own, never from a subject's main
stream: adding these texts changed no existing record's day, type, identifier or scored attribute, so every
score and figure of the city stayed the same.

Names follow the pattern of the enterprise name rules (企业名称登记管理规定, 2020, Art. 6: administrative division,
trade name, industry, organizational form): 荣成市 + a two-character trade name + an industry + a form, e.g.
荣成市海达水产有限公司. The trade name and industry come from a seeded permutation of all their pairs, so no
two organizations of a city share them (the rules forbid the same name in the same registry).
"""

from __future__ import annotations

import math
import random
from functools import lru_cache

from socialcredit.ids.places import division
from socialcredit.records import Scalar

_TRADE = "海达鑫源宏泰华盛恒通瑞丰兴旺德昌永和金龙祥云东方石岛利民富强荣泽成安"
"""Characters trade names are made of (common in Shandong's coastal registries)."""

_INDUSTRIES: tuple[str, ...] = (
    "水产",
    "食品",
    "海洋科技",
    "渔业",
    "船舶修造",
    "机械制造",
    "建筑工程",
    "商贸",
    "物流",
    "石材",
    "纺织",
    "汽车零部件",
    "农业发展",
    "电子科技",
    "冷藏",
    "旅游开发",
)
_FORMS: tuple[tuple[str, str, int], ...] = (
    ("有限公司", "有限责任公司（自然人投资或控股）", 60),
    ("有限公司", "有限责任公司（自然人独资）", 20),
    ("股份有限公司", "股份有限公司（非上市、自然人投资或控股）", 6),
    ("厂", "个人独资企业", 8),
    ("专业合作社", "农民专业合作社", 6),
)
"""Organizational form in the name, the entity type as registered, and weight."""
_SOCIAL: tuple[tuple[str, str, int], ...] = (
    ("协会", "社会团体", 40),
    ("商会", "社会团体", 15),
    ("志愿者协会", "社会团体", 10),
    ("养老服务中心", "民办非企业单位", 20),
    ("培训学校", "民办非企业单位", 15),
)
_SOCIAL_FIELDS = (
    "水产加工",
    "渔业",
    "个体劳动者",
    "餐饮",
    "物流",
    "海洋",
    "书法",
    "慈善",
    "社区",
    "体育",
    "摄影",
    "老年",
    "家政服务",
    "乡村旅游",
    "青年创业",
    "民俗文化",
)
"""One field per industry slot, so that (trade name, field) is as distinct as (trade name, industry)."""
_WORKS = frozenset({"食品", "机械制造", "石材", "纺织", "汽车零部件", "水产", "船舶修造", "冷藏"})
"""Industries a sole proprietorship is named a works (厂) in; others are a business department (经营部)."""
_FARMING = {"水产": "水产", "渔业": "渔业", "农业发展": "农产品"}
"""Industries a farmers' cooperative is named in, and its word; others register as companies."""


@lru_cache(maxsize=16)
def _name_permutation(seed: int) -> tuple[int, int, int]:
    """Size, multiplier and offset of a seeded permutation of (trade name, industry) slots."""
    size = len(_TRADE) ** 2 * len(_INDUSTRIES)
    rng = random.Random(f"{seed}/organization-names")
    while True:
        a = rng.randrange(size // 3, size)
        if math.gcd(a, size) == 1:
            return size, a, rng.randrange(size)


def place_name(code: str) -> str:
    """The division's current name (荣成市 for 371082), or nothing for a code python-stdnum does not know."""
    found = division(code)
    if found is None or not found.names:
        return ""
    current = [name for name, _, end in found.names if end is None]
    return current[-1] if current else found.names[-1][0]


def _name_slot(seed: int, index: int) -> tuple[int, int]:
    """Organization ``index``'s trade-name slot and industry, from the seeded permutation."""
    size, a, b = _name_permutation(seed)
    return divmod((a * index + b) % size, len(_INDUSTRIES))


def organization_industry(seed: int, index: int) -> str:
    """The industry a business's registered name gives (水产, 食品...): what it may need a licence for."""
    return _INDUSTRIES[_name_slot(seed, index)[1]]


def organization_name(seed: int, index: int, *, social: bool, division_code: str) -> tuple[str, str]:
    """Organization ``index``'s registered name and entity type; distinct names within a city."""
    slot, industry = _name_slot(seed, index)
    first, second = divmod(slot % len(_TRADE) ** 2, len(_TRADE))
    trade = _TRADE[first] + _TRADE[second]
    rng = random.Random(f"{seed}/organization/{index}/name")
    place = place_name(division_code)
    if social:
        form, entity_type, _ = rng.choices(_SOCIAL, [w for *_, w in _SOCIAL])[0]
        field = _SOCIAL_FIELDS[industry]
        # A social organization is named by its field; the trade name tells two of a field apart.
        return f"{place}{trade}{field}{form}", entity_type
    form, entity_type, _ = rng.choices(_FORMS, [w for *_, w in _FORMS])[0]
    word = _INDUSTRIES[industry]
    if form == "专业合作社":
        if word not in _FARMING:
            form, entity_type, _ = _FORMS[0]
        else:
            word = _FARMING[word]
    elif form == "厂" and word not in _WORKS:
        form = "经营部"
    return f"{place}{trade}{word}{form}", entity_type


_GOODS = ("冷冻鱼糜制品", "即食海参", "调味海带", "电动自行车头盔", "儿童玩具", "食用植物油", "电线电缆", "化妆品")
_GOODS_BY_INDUSTRY: dict[str, tuple[str, ...]] = {
    "水产": ("冷冻鱼糜制品", "即食海参", "干制鱿鱼"),
    "食品": ("即食海参", "调味海带", "食用植物油", "糕点"),
    "渔业": ("冷冻带鱼", "干制虾皮"),
    "冷藏": ("冷冻鱼糜制品", "速冻水饺"),
    "商贸": _GOODS,
    "机械制造": ("压力锅", "电动葫芦"),
    "汽车零部件": ("汽车制动片", "机动车轮胎"),
    "电子科技": ("电线电缆", "移动电源"),
    "纺织": ("儿童服装", "床上用品"),
    "石材": ("石材台面",),
    "农业发展": ("化肥", "种子"),
}
"""What a business of an industry is penalised for selling (any of :data:`_GOODS` for others)."""

# record type: (type of violation, facts, kind of penalty) choices; {goods}, {count}, {value} are filled in.
_PENALTIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "commerce.counterfeit_goods": (
        (
            "销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品",
            "经查，当事人销售的{goods}经抽样检验不合格，共计{count}件，货值金额{value}元。",
            "没收违法销售的产品，并处罚款",
        ),
        (
            "在产品中掺杂、掺假，以假充真、以次充好",
            "经查，当事人以次充好销售{goods}共计{count}件，货值金额{value}元，违法所得已没收。",
            "没收违法所得，并处罚款",
        ),
        (
            "伪造产品产地，伪造或者冒用他人厂名、厂址",
            "经查，当事人销售冒用他人厂名、厂址的{goods}共计{count}件，货值金额{value}元。",
            "责令改正，没收违法销售的产品，并处罚款",
        ),
    ),
    "commerce.pyramid_selling_or_fraud": (
        (
            "组织策划传销",
            "经查，当事人以销售{goods}为名，要求参加者缴纳费用取得加入资格，并按发展人员数量计酬，涉及金额{value}元。",
            "没收违法所得，并处罚款",
        ),
        (
            "介绍、诱骗、胁迫他人参加传销",
            "经查，当事人介绍他人参加以销售{goods}为名的传销活动，共计{count}人次。",
            "责令停止违法行为，没收违法所得，并处罚款",
        ),
    ),
    "commerce.other_dishonesty": (
        (
            "虚假宣传",
            "经查，当事人在销售{goods}时对其性能、功能作虚假的商业宣传，涉及金额{value}元。",
            "责令停止违法行为，并处罚款",
        ),
        (
            "不正当有奖销售",
            "经查，当事人在销售{goods}时所设奖项的种类、兑奖条件等信息不明确，影响兑奖。",
            "警告",
        ),
        (
            "价格欺诈",
            "经查，当事人在销售{goods}时虚构原价，以虚假的优惠折价诱骗消费者购买，涉及{count}笔交易。",
            "警告，并处罚款",
        ),
    ),
}

PENALTY_FIELDS: tuple[str, ...] = ("fine", "violation", "facts", "penalty")
"""The notice fields every penalty record of the city carries, in file order."""

PENALTY_TYPES: frozenset[str] = frozenset(_PENALTIES)
"""The record types whose records carry :data:`PENALTY_FIELDS`."""


def penalty_fields(
    rng: random.Random, record_type: str, *, median_value: float = 30_000, industry: str | None = None
) -> dict[str, Scalar]:
    """A penalty decision's type of violation, facts, kind of penalty and fine (0 for a warning only), for goods
    or dealings worth about ``median_value`` yuan (a business's are larger than a person's), of the kind a
    business of ``industry`` sells."""
    violation, facts, penalty = rng.choice(_PENALTIES[record_type])
    value = round(rng.lognormvariate(math.log(median_value), 1.0), -2) or 100
    count = rng.randint(5, 400)
    goods = _GOODS_BY_INDUSTRY.get(industry, _GOODS) if industry is not None else _GOODS
    text = facts.format(goods=rng.choice(goods), count=count, value=f"{int(value)}")
    fine = 0 if "罚款" not in penalty else int(max(2_000, round(value * rng.uniform(1.0, 3.0), -2)))
    return {"fine": fine, "violation": violation, "facts": text, "penalty": penalty}
