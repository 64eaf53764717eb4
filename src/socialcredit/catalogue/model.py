"""The catalogue of record types: what may be recorded about a subject, by whom, in what shape, for how long.

Modelled on the national basic catalogue of public credit information (全国公共信用信息基础目录, NDRC and PBoC,
2021, revised 2022 and 2024): public credit information is only what the catalogue lists, and no region or
department adds to it on its own (国办发〔2020〕49号). Each entry says what a record type *is* — its category,
the competences that may issue it, the subjects it is about, its attributes, its legal basis, whether it is
adverse and the severity tiers it can carry — so that the rights audit reasons from that and not from a name.

Categories that may never be recorded for operation (biometric data, speech, petitions, religion, assembly,
political activity, ethnicity, health) are declared too, with the signs that give an entry of that kind away
in its own words. An entry of such a category, or one whose words read as one, does not load. Pure: no I/O.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from socialcredit.catalogue.review import Identifier, Kind, refuse_forbidden
from socialcredit.ids.model import SubjectKind
from socialcredit.records import Scalar
from socialcredit.scheme.conditions import StrictModel
from socialcredit.scheme.model import AttributeName, LegalBasis, Period, RecordType, Source

RETENTION_LIMIT = Period(years=5)
"""Adverse information is kept at most 5 years from the end of the conduct (Credit Reporting Industry
Regulation (2013), Art. 16), and no tier counts longer."""

RETENTION_BASIS = "Credit Reporting Industry Regulation (2013), Art. 16 (adverse information kept 5 years)"


class Tier(StrEnum):
    """How serious an adverse record can be (国办发〔2025〕22号: minor, general, serious)."""

    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"


TIER_ORDER = (Tier.MINOR, Tier.GENERAL, Tier.SERIOUS)

TIER_POINT_SHARE = {Tier.MINOR: 0.10, Tier.GENERAL: 0.25, Tier.SERIOUS: 0.50}
"""The largest share of a scheme's span (base score to its lowest band) one record of a tier may cost before
the audit calls it disproportionate (过罚相当, 国办发〔2020〕49号). A choice of this project, stated in the README."""


class AttributeKind(StrEnum):
    """The kinds of value an attribute holds."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    SUBJECT = "subject_id"
    """The identifier of another subject (a legal representative's identity number)."""
    DAY = "day"


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AttributeSpec(StrictModel):
    """The shape of one attribute of a record type."""

    type: AttributeKind
    required: bool = False
    min: float | None = None
    max: float | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in", min_length=1)
    max_length: int = Field(default=200, ge=1, le=2000, description="For text: the most characters.")
    description: str | None = None

    @model_validator(mode="after")
    def _sensible(self) -> AttributeSpec:
        numeric = self.type in (AttributeKind.INTEGER, AttributeKind.NUMBER)
        if (self.min is not None or self.max is not None) and not numeric:
            raise ValueError("min and max are for integer and number attributes")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not exceed max")
        for value in self.in_ or []:
            if self.problem(value, check_in=False) is not None:
                raise ValueError(f"in: {value!r} is not a {self.type.value}")
        return self

    def problem(self, value: Scalar, *, check_in: bool = True) -> str | None:
        """Why ``value`` does not fit this attribute, or None when it does. Identifiers are checked by the
        caller, which knows how to parse them."""
        kind = self.type
        if kind is AttributeKind.BOOLEAN:
            if not isinstance(value, bool):
                return "must be true or false"
        elif kind in (AttributeKind.INTEGER, AttributeKind.NUMBER):
            whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"must be {'a whole number' if kind is AttributeKind.INTEGER else 'a number'}"
            if kind is AttributeKind.INTEGER and not whole:
                return "must be a whole number"
            if self.min is not None and value < self.min:
                return f"must be at least {_plain(self.min)}"
            if self.max is not None and value > self.max:
                return f"must be at most {_plain(self.max)}"
        else:
            if not isinstance(value, str):
                return "must be text" if kind is AttributeKind.TEXT else f"must be a {kind.value} as text"
            if kind is AttributeKind.TEXT and len(value) > self.max_length:
                return f"must be at most {self.max_length} characters"
            if kind is AttributeKind.DAY and not _valid_day(value):
                return "must be a day YYYY-MM-DD"
        if check_in and self.in_ is not None and not any(_same(value, allowed) for allowed in self.in_):
            return f"must be one of {', '.join(str(v) for v in self.in_)}"
        return None


class Competence(StrictModel):
    """A kind of authority that may issue records (a people's court, a market regulator)."""

    id: Identifier
    title: str
    description: str | None = None


class Domain(StrictModel):
    """An area of life a record concerns or a measure restricts, for relatedness."""

    id: Identifier
    title: str


class Category(Kind):
    """A category of records (registration, court enforcement…), or one never recorded for operation."""

    domains: list[Identifier] = Field(default_factory=list, description="The domains records of this category concern.")


class RecordTypeEntry(StrictModel):
    """One record type the platform may hold, and what it is."""

    type: RecordType
    title: str
    title_zh: str | None = None
    description: str = Field(min_length=10)
    category: Identifier
    issued_by: list[Identifier] = Field(min_length=1, description="The competences that may issue it.")
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    adverse: bool
    tiers: list[Tier] = Field(default_factory=list, description="The severity tiers an adverse record carries.")
    retention: Period | None = Field(
        default=None, description="How long an adverse record may count: at most (and by default) 5 years."
    )
    recurring: bool = Field(
        default=False, description="Routine conduct that can come many times (one record a month or a ticket)."
    )
    link: Literal["legal_representative"] | None = Field(
        default=None, description="The record names another subject as this subject's legal representative."
    )
    attributes: dict[AttributeName, AttributeSpec] = Field(default_factory=dict)
    legal_basis: LegalBasis

    @model_validator(mode="after")
    def _adverse_bounds(self) -> RecordTypeEntry:
        if self.adverse and not self.tiers:
            raise ValueError(f"{self.type}: an adverse record type names the tiers it can carry")
        if not self.adverse and (self.tiers or self.retention is not None):
            raise ValueError(f"{self.type}: tiers and retention are for adverse record types")
        if self.retention is not None and period_days(self.retention) > period_days(RETENTION_LIMIT):
            raise ValueError(f"{self.type}: adverse information counts 5 years at most ({RETENTION_BASIS})")
        if self.link is not None:
            subjects = [n for n, spec in self.attributes.items() if spec.type is AttributeKind.SUBJECT]
            if not subjects:
                raise ValueError(f"{self.type}: a link record names the linked subject in a subject_id attribute")
        return self

    @property
    def worst_tier(self) -> Tier | None:
        """The most serious tier the type can carry."""
        return max(self.tiers, key=TIER_ORDER.index) if self.tiers else None

    @property
    def counts_at_most(self) -> Period:
        """How long an adverse record of this type may count."""
        return self.retention or RETENTION_LIMIT

    def review_text(self) -> str:
        """Everything the entry says about itself, for the review against forbidden kinds."""
        attributes = " ".join(f"{name} {spec.description or ''}" for name, spec in self.attributes.items())
        return " ".join([self.type, self.title, self.title_zh or "", self.description, self.legal_basis, attributes])


class Catalogue(StrictModel):
    """The published catalogue of record types, versioned."""

    catalogue: Literal["record-types"]
    version: str = Field(min_length=1, max_length=32)
    title: str
    published: date
    sources: list[Source] = Field(min_length=1)
    competences: list[Competence] = Field(min_length=1)
    domains: list[Domain] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    record_types: list[RecordTypeEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        _unique("competence", [c.id for c in self.competences])
        _unique("domain", [d.id for d in self.domains])
        _unique("category", [c.id for c in self.categories])
        _unique("record type", [e.type for e in self.record_types])
        domains = {d.id for d in self.domains}
        for category in self.categories:
            unknown = set(category.domains) - domains
            if unknown:
                raise ValueError(f"category {category.id}: unknown domains {sorted(unknown)}")
        categories = {c.id: c for c in self.categories}
        competences = {c.id for c in self.competences}
        forbidden = [c for c in self.categories if c.forbidden]
        for i, entry in enumerate(self.record_types):
            at = f"record_types[{i}] ({entry.type})"
            category = categories.get(entry.category)
            refuse_forbidden(at, category, entry.category, entry.review_text(), forbidden, "recorded")
            unknown = set(entry.issued_by) - competences
            if unknown:
                raise ValueError(f"{at}: issued_by names unknown competences {sorted(unknown)}")
        return self

    def entry(self, record_type: str) -> RecordTypeEntry | None:
        """The entry of a record type, or None when the catalogue does not list it."""
        return self._by_type.get(record_type)

    def category(self, category_id: str) -> Category:
        """The category with this id."""
        return next(c for c in self.categories if c.id == category_id)

    def forbidden(self) -> list[Category]:
        """The categories never recorded for operation."""
        return [c for c in self.categories if c.forbidden]

    @cached_property
    def _by_type(self) -> dict[str, RecordTypeEntry]:
        return {e.type: e for e in self.record_types}


def period_days(period: Period) -> int:
    """A period's length in days, counting a year as 365 and a month as 30: for comparing bounds only."""
    return period.years * 365 + period.months * 30 + period.days


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what} {i!r} is listed twice")
        seen.add(i)


def _valid_day(text: str) -> bool:
    if not _DAY.match(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _same(value: Scalar, allowed: Scalar) -> bool:
    if isinstance(value, bool) or isinstance(allowed, bool):
        return isinstance(value, bool) and isinstance(allowed, bool) and value == allowed
    return value == allowed


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
