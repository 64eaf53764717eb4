"""The synthetic city's authorities and the record types they issue.

One table says, for every record type the synthetic city produces, which authority issues it, the legal basis
its records cite, the attributes every record of the type carries (always all of them, in this order) and how
its source document reference is written. The shipped schemes read these types and attributes by name, so the
table is the contract between the generator and the schemes; ``tests/lab/test_synth.py`` holds its own copy of
the names to catch drift. Every type is in the catalogue of record types
(:func:`socialcredit.catalogue.loading.shipped_catalogue`) with those attributes, and each authority holds the
catalogue competence its types are issued by (``tests/lab/test_city_catalogue.py`` checks both).

The legal bases cite the statute a fact of that kind is established under (the Road Traffic Safety Law for a
traffic ticket), not the scheme that scores it: the scheme files carry their own bases.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialcredit.authorities import Authority
from socialcredit.lab.market import LICENCE_FIELDS
from socialcredit.lab.registry_texts import PENALTY_FIELDS

PERSON = "person"
ORGANIZATION = "organization"

COURT = "RC-COURT"
TRAFFIC = "RC-PSB-TRAFFIC"
SAMR = "RC-SAMR"
TAX = "RC-TAX"
PBOC = "RC-PBOC"
UTILITIES = "RC-UTIL"
CIVIL = "RC-CIVIL"
HEALTH = "RC-HEALTH"

# code: (name, competences (the catalogue's competence ids), record id prefix)
_AUTHORITIES: dict[str, tuple[str, tuple[str, ...], str]] = {
    COURT: ("Rongcheng People's Court", ("judicial",), "CRT"),
    TRAFFIC: ("Rongcheng Public Security Bureau, Traffic Police Brigade", ("traffic_police",), "TRF"),
    SAMR: ("Rongcheng Administration for Market Regulation", ("market_regulation",), "SMR"),
    TAX: ("Rongcheng Taxation Bureau, State Taxation Administration", ("taxation",), "TAX"),
    PBOC: ("People's Bank of China Rongcheng Sub-branch (credit reporting)", ("credit_reporting",), "PBC"),
    UTILITIES: ("Rongcheng Public Utilities Office", ("public_utilities",), "UTL"),
    # Civil affairs also registers social organisations (USCC registering authority 5).
    CIVIL: ("Rongcheng Civil Affairs Bureau", ("civil_affairs",), "CIV"),
    HEALTH: ("Weihai Central Blood Station, Rongcheng Branch", ("blood_service",), "HLT"),
}

AUTHORITY_CODES: tuple[str, ...] = tuple(_AUTHORITIES)


def authority_prefix(code: str) -> str:
    """The record id prefix of an authority (``TRF`` for the traffic police)."""
    return _AUTHORITIES[code][2]


def city_authorities(division: str) -> list[Authority]:
    """The city's authorities, all with jurisdiction ``division``, in a fixed order."""
    return [
        Authority(code=code, name=name, jurisdiction=division, competences=competences)
        for code, (name, competences, _prefix) in _AUTHORITIES.items()
    ]


@dataclass(frozen=True, slots=True)
class RecordType:
    """One record type of the synthetic city."""

    name: str
    authority: str
    legal_basis: str
    document: str
    """How the source reference reads: ``{court}``/``{year}``/``{serial}``/``{case_no}`` are filled in."""
    attributes: tuple[str, ...] = ()


_DECISION = "{court}{office}〔{year}〕{serial}号"
_LISTING_RULES = "SPC Provisions on Publishing the List of Dishonest Judgment Debtors (法释〔2017〕7号)"
_TAX_LAW = "Tax Collection and Administration Law"
_MARKET_REGISTRATION = "Regulation on the Administration of Market Entity Registration (2021)"
_SOCIAL_REGISTRATION = "Regulation on the Registration and Administration of Social Organizations (1998)"


def _t(name: str, authority: str, basis: str, document: str, *attributes: str) -> RecordType:
    return RecordType(name, authority, basis, document, attributes)


_TYPES: tuple[RecordType, ...] = (
    # persons: finance
    _t("finance.contract_breach", PBOC, "Civil Code, Art. 577", "人行征信{court}〔{year}〕{serial}号"),
    _t(
        "finance.loan_arrears_month",
        PBOC,
        "Civil Code, Art. 675; Credit Reporting Industry Regulation (2013), Art. 15",
        "人行征信{court}〔{year}〕{serial}号",
    ),
    _t(
        "finance.private_lending_breach",
        PBOC,
        "Civil Code, Art. 679; SPC Provisions on Private Lending Cases (法释〔2020〕17号)",
        "人行征信{court}〔{year}〕{serial}号",
    ),
    _t("finance.guarantee_breach", PBOC, "Civil Code, Art. 681, 688", "人行征信{court}〔{year}〕{serial}号"),
    _t(
        "finance.illegal_fundraising",
        PBOC,
        "Regulation on Preventing and Handling Illegal Fund-raising (2021), Art. 2",
        "人行征信{court}〔{year}〕{serial}号",
    ),
    # persons: court judgments
    _t("court.contract_breach_judgment", COURT, "Civil Code, Art. 577", "({year}){court}民初{serial}号"),
    _t("court.unpaid_debt_judgment", COURT, "Civil Code, Art. 675", "({year}){court}民初{serial}号"),
    # persons: commerce
    _t(
        "commerce.pyramid_selling_or_fraud",
        SAMR,
        "Regulation on Prohibition of Pyramid Selling (2005), Art. 24",
        _DECISION.replace("{office}", "市监罚"),
        *PENALTY_FIELDS,
    ),
    _t(
        "commerce.counterfeit_goods",
        SAMR,
        "Product Quality Law, Art. 50",
        _DECISION.replace("{office}", "市监罚"),
        *PENALTY_FIELDS,
    ),
    _t(
        "commerce.other_dishonesty",
        SAMR,
        "Anti-Unfair Competition Law, Art. 8",
        _DECISION.replace("{office}", "市监罚"),
        "points",
        *PENALTY_FIELDS,
    ),
    # persons: utilities
    _t(
        "utility.late_fees",
        UTILITIES,
        "Civil Code, Art. 654, 656",
        _DECISION.replace("{office}", "公用催缴"),
        "adjudicated",
    ),
    _t(
        "utility.heating_tampering",
        UTILITIES,
        "Civil Code, Art. 656",
        _DECISION.replace("{office}", "公用罚"),
    ),
    _t("utility.theft", UTILITIES, "Electric Power Law, Art. 71", _DECISION.replace("{office}", "公用罚")),
    _t(
        "utility.equipment_destruction",
        UTILITIES,
        "Public Security Administration Punishments Law, Art. 33",
        _DECISION.replace("{office}", "公用罚"),
    ),
    # persons: traffic
    _t(
        "traffic.violation",
        TRAFFIC,
        "Road Traffic Safety Law, Art. 90",
        _DECISION.replace("{office}", "公交罚"),
    ),
    _t(
        "traffic.drunk_driving",
        TRAFFIC,
        "Road Traffic Safety Law, Art. 91",
        _DECISION.replace("{office}", "公交罚"),
    ),
    # persons: rewards
    _t(
        "honor.heroic_act",
        CIVIL,
        "Shandong Province Regulations on Rewarding and Protecting Persons Acting Bravely for Justice",
        _DECISION.replace("{office}", "见义勇为"),
    ),
    _t(
        "volunteer.service",
        CIVIL,
        "Regulation on Volunteer Service (2017)",
        _DECISION.replace("{office}", "志愿"),
    ),
    _t("health.blood_donation", HEALTH, "Blood Donation Law (1997)", "献血证{court}{year}{serial}"),
    # persons and organizations: dishonest judgment debtors
    _t(
        "court.dishonest_listing",
        COURT,
        f"{_LISTING_RULES}, Art. 1",
        "{case_no}纳入失信决定书",
        "case_no",
        "ground",
    ),
    _t(
        "court.listing_extension",
        COURT,
        f"{_LISTING_RULES}, Art. 2",
        "{case_no}延长失信期限决定书",
        "case_no",
        "years",
    ),
    _t(
        "court.obligation_performed",
        COURT,
        f"{_LISTING_RULES}, Art. 10",
        "{case_no}删除失信信息决定书",
        "case_no",
    ),
    # organizations: registry
    _t(
        "registry.registered",
        SAMR,
        f"{_MARKET_REGISTRATION}, Art. 3",
        _DECISION.replace("{office}", "市监登"),
        "name",
        "entity_type",
    ),
    _t(
        "registry.legal_representative",
        SAMR,
        f"{_MARKET_REGISTRATION}, Art. 8",
        _DECISION.replace("{office}", "市监登"),
        "person_id",
    ),
    # organizations: tax
    _t("tax.revenue_reported", TAX, f"{_TAX_LAW}, Art. 25", _DECISION.replace("{office}", "税申"), "revenue"),
    _t("tax.late_filing", TAX, f"{_TAX_LAW}, Art. 62", _DECISION.replace("{office}", "税简罚")),
    _t("tax.late_payment", TAX, f"{_TAX_LAW}, Art. 32", _DECISION.replace("{office}", "税通")),
    _t("tax.unpaid_arrears", TAX, f"{_TAX_LAW}, Art. 40", _DECISION.replace("{office}", "税强执")),
    _t(
        "tax.invoice_violation",
        TAX,
        "Measures for the Administration of Invoices, Art. 35",
        _DECISION.replace("{office}", "税罚"),
    ),
    _t("tax.inspection_refusal", TAX, f"{_TAX_LAW}, Art. 70", _DECISION.replace("{office}", "税稽罚")),
    _t(
        "tax.evasion",
        TAX,
        f"{_TAX_LAW}, Art. 63",
        _DECISION.replace("{office}", "税稽罚"),
        "amount",
        "share_of_tax_due",
    ),
    _t("tax.crime", TAX, "Criminal Law, Art. 201", _DECISION.replace("{office}", "税稽移")),
    _t(
        "tax.abnormal_taxpayer",
        TAX,
        "SAT Measures for Tax Credit Management (Trial) (国家税务总局公告2014年第40号)",
        _DECISION.replace("{office}", "税非正常"),
    ),
    # organizations: licences (last, so that adding them moved no other type's rank or file column)
    _t(
        "licence.granted",
        SAMR,
        "Administrative Licensing Law (2019), Art. 38",
        _DECISION.replace("{office}", "市监许"),
        *LICENCE_FIELDS,
    ),
)

RECORD_TYPES: dict[str, RecordType] = {t.name: t for t in _TYPES}
"""Every record type the synthetic city produces, by name, in a fixed order."""

TYPE_RANK: dict[str, int] = {name: rank for rank, name in enumerate(RECORD_TYPES)}
"""Order of types on the same day within one subject's records (registration before representative...)."""

SOCIAL_REGISTRATION_BASIS: dict[str, str] = {
    "registry.registered": f"{_SOCIAL_REGISTRATION}, Art. 9",
    "registry.legal_representative": f"{_SOCIAL_REGISTRATION}, Art. 11",
}
"""Registry records of a social organisation come from civil affairs under its own regulation."""


def attribute_columns(authority: str) -> tuple[str, ...]:
    """The attribute columns of an authority's record file: the union over its types, in catalogue order."""
    columns: list[str] = []
    for record_type in _TYPES:
        issuers = {record_type.authority}
        if record_type.name in SOCIAL_REGISTRATION_BASIS:
            issuers.add(CIVIL)
        if authority in issuers:
            columns.extend(a for a in record_type.attributes if a not in columns)
    return tuple(columns)


_PROVINCES = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑",
    "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
    "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "贵",
    "53": "云", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新",
}  # fmt: skip


def court_code(division: str) -> str:
    """How a county court writes itself in case numbers: ``鲁1082`` for Rongcheng (371082)."""
    return f"{_PROVINCES.get(division[:2], division[:2])}{division[2:]}"
