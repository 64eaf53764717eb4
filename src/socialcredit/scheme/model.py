"""The scheme language: a published, versioned document that says how records become consequences.

A scheme declares a base score and point rules, grade bands with assignments and caps, lists with their entry,
extension and exit records, links between subjects, and measures tied to lists or grades. Every rule, list,
link and measure carries a legal basis; a document without one does not load. Pure: no I/O.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import Literal

from pydantic import Field, model_validator

from socialcredit.errors import Problem, SchemeError
from socialcredit.ids.model import SubjectKind
from socialcredit.scheme.conditions import Condition, StrictModel
from socialcredit.scheme.publications import Publication
from socialcredit.scheme.types import Action, AttributeName, GradeName, LegalBasis, Period, RecordType, Slug


class Purpose(StrEnum):
    """``operation`` schemes pass the rights audit; ``lab`` schemes may model anything on synthetic data."""

    OPERATION = "operation"
    LAB = "lab"


class Effect(StrEnum):
    """What a measure does to an action, strongest first."""

    DENY = "deny"
    REVIEW = "review"
    PRIORITY = "priority"


class Source(StrictModel):
    """A published text a scheme rests on."""

    id: Slug
    title: str
    url: str | None = None
    note: str | None = None


class AttributePoints(StrictModel):
    """Points taken from a numeric attribute: rounded half away from zero, then clamped to [min, max]."""

    attribute: AttributeName
    min: int
    max: int

    @model_validator(mode="after")
    def _ordered(self) -> AttributePoints:
        if self.min > self.max:
            raise ValueError("min must not exceed max")
        return self


class PointRule(StrictModel):
    """Records of one type (optionally meeting a condition) earn points for a while."""

    id: Slug
    record_type: RecordType
    when: Condition | None = None
    points: int | AttributePoints
    counts_for: Period | None = Field(default=None, description="How long a record counts (rolling window).")
    cap_per_calendar_year: int | None = Field(default=None, gt=0, description="Most points earned a year.")
    factor: Slug | None = Field(default=None, description="A record earns from the first matching rule of each factor.")
    legal_basis: LegalBasis
    description: str | None = None


class Score(StrictModel):
    """A base score plus point rules: a record earns from the first matching rule of each factor (none: one)."""

    base: int
    window: Literal["rolling", "calendar_year"] = Field(
        default="rolling",
        description="rolling: a record counts for its rule's counts_for; calendar_year: only records of the "
        "as-of date's calendar year count, up to that date.",
    )
    rules: list[PointRule] = Field(min_length=1)

    @model_validator(mode="after")
    def _windows(self) -> Score:
        for i, rule in enumerate(self.rules):
            if self.window == "rolling" and rule.counts_for is None:
                raise ValueError(f"rules[{i}] ({rule.id}): a rolling scheme needs counts_for on every rule")
            if self.window == "calendar_year" and rule.counts_for is not None:
                raise ValueError(f"rules[{i}] ({rule.id}): counts_for has no meaning in a calendar_year scheme")
        return self


class Comparison(StrictModel):
    """A numeric comparison used by the ``score`` predicate."""

    lt: int | None = None
    le: int | None = None
    gt: int | None = None
    ge: int | None = None
    eq: int | None = None


class RecordTest(StrictModel):
    """There is a record of these types (meeting ``when``) in a window ending on the reference date."""

    types: list[RecordType] = Field(min_length=1)
    when: Condition | None = None
    within: Period | Literal["evaluation_year"] = Field(
        description="A period: the record happened on or before the date and the period from it has not "
        "passed; evaluation_year: it happened in the date's calendar year, on or before the date."
    )


class PreviousGrades(StrictModel):
    """The subject's grade at the end of one of the previous ``years`` calendar years was one of ``grades``,
    or (with ``assigned_by``) was set by one of those assignments."""

    years: int = Field(ge=1, le=10)
    grades: list[GradeName] | None = None
    assigned_by: list[Slug] | None = None

    @model_validator(mode="after")
    def _one(self) -> PreviousGrades:
        if (self.grades is None) == (self.assigned_by is None):
            raise ValueError("give exactly one of grades or assigned_by")
        return self


class Predicate(StrictModel):
    """A condition on a subject at a date, for grade assignments and caps."""

    all: list[Predicate] | None = Field(default=None, min_length=1)
    any: list[Predicate] | None = Field(default=None, min_length=1)
    not_: Predicate | None = Field(default=None, alias="not")
    score: Comparison | None = None
    has_record: RecordTest | None = None
    counting: Slug | None = Field(default=None, description="A record scored by this point rule counts.")
    previous_grades: PreviousGrades | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Predicate:
        set_fields = [
            name
            for name in ("all", "any", "not_", "score", "has_record", "counting", "previous_grades")
            if getattr(self, name) is not None
        ]
        if len(set_fields) != 1:
            raise ValueError(
                "a predicate is exactly one of: all, any, not, score, has_record, counting, previous_grades"
            )
        return self

    def walk(self) -> list[Predicate]:
        """This predicate and every predicate inside it."""
        children = self.all or self.any or ([self.not_] if self.not_ else [])
        return [self, *(p for child in children for p in child.walk())]


class Band(StrictModel):
    """A grade for scores at or above ``min`` (the last band has no minimum)."""

    grade: GradeName
    min: int | None = None


class GradeRule(StrictModel):
    """A grade assignment (sets the grade) or cap (the grade is at most ``at_most``) when a predicate holds."""

    id: Slug
    when: Predicate
    grade: GradeName | None = None
    at_most: GradeName | None = None
    legal_basis: LegalBasis
    description: str | None = None


class Grades(StrictModel):
    """Grades from bands, then the first assignment that holds, then every cap that holds."""

    scale: list[GradeName] = Field(min_length=2, description="Every grade, best first.")
    bands: list[Band] = Field(min_length=1)
    legal_basis: LegalBasis
    assign: list[GradeRule] = Field(default_factory=list)
    caps: list[GradeRule] = Field(default_factory=list)
    published: list[GradeName] = Field(default_factory=list, description="Grades made public, by published_basis.")
    published_basis: LegalBasis | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Grades:
        known = set(self.scale)
        if len(known) != len(self.scale):
            raise ValueError("scale lists a grade twice")
        if not set(self.published) <= known or (self.published and self.published_basis is None):
            raise ValueError("published grades must be on the scale, with a published_basis: the law publishing them")
        mins = [b.min for b in self.bands]
        if mins[-1] is not None or any(m is None for m in mins[:-1]):
            raise ValueError("every band but the last needs a min; the last has none")
        if any(a <= b for a, b in pairwise(mins[:-1])):  # type: ignore[operator]
            raise ValueError("band minimums must decrease")
        for band in self.bands:
            if band.grade not in known:
                raise ValueError(f"band grade {band.grade!r} is not on the scale")
        for rule in self.assign:
            if rule.grade is None or rule.at_most is not None or rule.grade not in known:
                raise ValueError(f"assignment {rule.id}: needs a grade from the scale and no at_most")
        for rule in self.caps:
            if rule.at_most is None or rule.grade is not None or rule.at_most not in known:
                raise ValueError(f"cap {rule.id}: needs at_most from the scale and no grade")
        return self

    def rank(self, grade: str) -> int:
        """0 for the best grade; larger is worse."""
        return self.scale.index(grade)


class DurationCase(StrictModel):
    """How long an entry lasts: the first case whose condition holds on the entry record applies."""

    when: Condition | None = None
    period: Period | None = None
    until_exit: bool = False

    @model_validator(mode="after")
    def _one(self) -> DurationCase:
        if (self.period is None) == (not self.until_exit):
            raise ValueError("a duration is either a period or until_exit: true")
        return self


class ListEntryRule(StrictModel):
    """Which records put a subject on the list, how entries are told apart, and for how long."""

    record_type: RecordType
    when: Condition | None = None
    key: AttributeName | None = Field(default=None, description="Attribute that tells entries apart.")
    duration: list[DurationCase] = Field(min_length=1)

    @model_validator(mode="after")
    def _default_last(self) -> ListEntryRule:
        if self.duration[-1].when is not None:
            raise ValueError("the last duration case must have no condition: it is the default")
        return self


class ExtensionRule(StrictModel):
    """A record that extends a still-active entry by a number of years taken from an attribute."""

    record_type: RecordType
    years_from: AttributeName
    min: int = Field(ge=1)
    max: int = Field(ge=1)


class ExitRule(StrictModel):
    """A record that ends an active entry on its day."""

    record_type: RecordType
    when: Condition | None = None


class ListRule(StrictModel):
    """A red or black list: entry, extensions and exits, each entry keyed by ``entry.key``."""

    id: Slug
    name: str
    kind: Literal["black", "red"]
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    legal_basis: LegalBasis
    public: bool = False
    entry: ListEntryRule
    extensions: list[ExtensionRule] = Field(default_factory=list)
    exits: list[ExitRule] = Field(default_factory=list)
    remedy: str = Field(min_length=3, description="Exit conditions and how to apply for repair.")


class Link(StrictModel):
    """Links one subject to another through records on the first: the latest such record stands."""

    id: Slug
    record_type: RecordType
    attribute: AttributeName
    legal_basis: LegalBasis


class MeasureCondition(StrictModel):
    """A measure is in force while the subject is on a list, or while its grade is one of ``grades``."""

    list_: Slug | None = Field(default=None, alias="list")
    grades: list[GradeName] | None = None

    @model_validator(mode="after")
    def _one(self) -> MeasureCondition:
        if (self.list_ is None) == (self.grades is None):
            raise ValueError("give exactly one of list or grades")
        return self


class Measure(StrictModel):
    """A consequence for actions, for the subject itself or for subjects linked to it."""

    id: Slug
    actions: list[Action] = Field(min_length=1)
    effect: Effect
    when: MeasureCondition
    subject_kinds: list[SubjectKind] = Field(min_length=1, description="Kinds of subject the condition is on.")
    applies_to: Literal["subject"] | Slug = Field(
        default="subject", description="'subject', or the id of a link: the measure reaches linked subjects."
    )
    legal_basis: LegalBasis
    description: str | None = None
    key_factors: int | None = Field(
        default=None,
        ge=1,
        le=4,
        description="On a grade: name as reasons the factors that cost the most points, at most this many.",
    )


class Objection(StrictModel):
    """How a subject objects to what the scheme does to them, and how long the answer may take."""

    how: str = Field(min_length=3)
    decided_within_days: int = Field(ge=1, le=365)
    legal_basis: LegalBasis


class Scheme(StrictModel):
    """A published, versioned scheme."""

    scheme: Slug
    version: str = Field(min_length=1, max_length=32)
    title: str
    description: str | None = None
    purpose: Purpose = Purpose.OPERATION
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    jurisdiction: str = Field(pattern=r"^\d{6}$")
    effective_from: date
    sources: list[Source] = Field(min_length=1)
    objection: Objection | None = Field(
        default=None, description="How to object: required for operation (the rights audit says so)."
    )
    score: Score | None = None
    grades: Grades | None = None
    lists: list[ListRule] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    publications: list[Publication] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Scheme:
        _unique("rule", [r.id for r in self.score.rules] if self.score else [])
        _unique("list", [x.id for x in self.lists])
        _unique("link", [x.id for x in self.links])
        _unique("measure", [x.id for x in self.measures])
        _unique("publication", [x.id for x in self.publications])
        if self.grades is not None and self.score is None:
            raise ValueError("grades need a score")
        rule_ids = {r.id for r in self.score.rules} if self.score else set()
        if self.grades is not None:
            _unique("grade rule", [r.id for r in (*self.grades.assign, *self.grades.caps)])
            assign_ids = {r.id for r in self.grades.assign}
            for rule in (*self.grades.assign, *self.grades.caps):
                for p in rule.when.walk():
                    if p.counting is not None and p.counting not in rule_ids:
                        raise ValueError(f"{rule.id}: counting refers to unknown rule {p.counting!r}")
                    prev = p.previous_grades
                    if prev is not None:
                        if self.score is not None and self.score.window != "calendar_year":
                            raise ValueError(f"{rule.id}: previous_grades needs a calendar_year scheme")
                        unknown = set(prev.grades or []) - set(self.grades.scale)
                        unknown |= set(prev.assigned_by or []) - assign_ids
                        if unknown:
                            raise ValueError(f"{rule.id}: previous_grades names unknown {sorted(unknown)}")
        list_ids = {x.id for x in self.lists}
        link_ids = {x.id for x in self.links}
        for m in self.measures:
            if m.when.list_ is not None and m.when.list_ not in list_ids:
                raise ValueError(f"measure {m.id}: unknown list {m.when.list_!r}")
            if m.when.grades is not None:
                if self.grades is None:
                    raise ValueError(f"measure {m.id}: the scheme has no grades")
                unknown_grades = set(m.when.grades) - set(self.grades.scale)
                if unknown_grades:
                    raise ValueError(f"measure {m.id}: unknown grades {sorted(unknown_grades)}")
            if m.key_factors is not None and (
                m.when.grades is None or self.score is None or not any(r.factor for r in self.score.rules)
            ):
                raise ValueError(f"measure {m.id}: key_factors needs a measure on grades and rules with factors")
            if m.applies_to != "subject" and m.applies_to not in link_ids:
                raise ValueError(f"measure {m.id}: applies_to names unknown link {m.applies_to!r}")
        return self

    @property
    def objection_route(self) -> Objection:
        """How to object. A scheme in operation always has a route: the rights audit refuses one without."""
        if self.objection is None:
            raise SchemeError([Problem("this scheme names no objection route", "objection", file=self.label)])
        return self.objection

    @property
    def label(self) -> str:
        """``name@version``."""
        return f"{self.scheme}@{self.version}"

    def record_types(self) -> set[str]:
        """Every record type the scheme reads: evaluating it needs no other records."""
        scored = {r.record_type for r in self.score.rules} if self.score is not None else set()
        return scored | self.types_beyond_points()

    def grade_predicates(self) -> list[Predicate]:
        """Every predicate of the grade assignments and caps, nested ones included (none without grades)."""
        if self.grades is None:
            return []
        return [p for rule in (*self.grades.assign, *self.grades.caps) for p in rule.when.walk()]

    def types_beyond_points(self) -> set[str]:
        """The record types something other than a point rule reads: a grade's record test, a list, a link or
        a publication."""
        types: set[str] = set()
        for p in self.grade_predicates():
            if p.has_record is not None:
                types |= set(p.has_record.types)
        for lst in self.lists:
            types.add(lst.entry.record_type)
            types |= {e.record_type for e in lst.extensions} | {e.record_type for e in lst.exits}
        types |= {link.record_type for link in self.links}
        for publication in self.publications:
            types |= set(publication.record_types)
        return types

    def actions(self) -> frozenset[str]:
        """Every action a measure of the scheme names: asking about any other is a mistake, not an allow."""
        return frozenset(a for m in self.measures for a in m.actions)

    def list_rule(self, list_id: str) -> ListRule:
        """The list with this id."""
        return next(x for x in self.lists if x.id == list_id)

    def link(self, link_id: str) -> Link:
        """The link with this id."""
        return next(x for x in self.links if x.id == link_id)


def _unique(what: str, ids: list[str]) -> None:
    if (repeated := next((i for n, i in enumerate(ids) if i in ids[:n]), None)) is not None:
        raise ValueError(f"{what} id {repeated!r} is used twice")
