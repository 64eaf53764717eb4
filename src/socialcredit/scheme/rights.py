"""The rights audit of a scheme: what it may not do, reasoned from what each item *is*.

Every record type a scheme reads is looked up in the catalogue of record types, and every action a measure
names in the list of measures; the audit reasons from their entries — category, tier, retention, whether the
record is adverse, the domain a measure restricts, the record categories it may follow, whether it may reach a
linked subject — and not from names. A name or description that reads as a forbidden kind is reported too, but
renaming a rule never gets it through: a type the catalogue does not list is an error whatever it is called.

**Errors** keep a scheme from operation: a record type not in the catalogue; an action not on the list of
measures, an effect or a subject kind the list does not allow for it, or a measure following records the list
does not tie it to; a measure reaching a linked subject other than a legal representative; a placeholder for a
legal basis; an adverse rule counting longer than its record type may (5 years at most); points taken for a
record that is not adverse; a black list with neither an exit record nor a maximum period, or with no exit a
repair can use; no objection route; a rule that describes itself as a forbidden kind.

**Warnings** are published with the scheme: a measure in a domain unrelated to the records it follows
(cross-domain spill-over, the EU AI Act Art. 5(1)(c) test), points out of proportion to the record's tier, and
points that accumulate without a cap. A ``lab`` scheme may use anything; the audit still reports what it finds.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from socialcredit.catalogue.measures import MeasureList
from socialcredit.catalogue.model import (
    RETENTION_BASIS,
    RETENTION_LIMIT,
    TIER_POINT_SHARE,
    Catalogue,
    RecordTypeEntry,
    period_days,
)
from socialcredit.catalogue.review import all_signs, first_sign
from socialcredit.scheme.model import Measure, Period, Purpose, Scheme
from socialcredit.scheme.rights_measures import measure_findings
from socialcredit.scheme.rights_rules import (
    CATALOGUE_RULE,
    PROPORTIONALITY,
    Finding,
    Severity,
    list_findings,
    retention_finding,
    too_long,
    typed_uses,
)

__all__ = ["Audit", "Finding", "Severity", "audit_scheme"]

PLACEHOLDERS = {"-", "n/a", "na", "none", "tbd", "todo", "unknown", "xxx", "test", "...", "待定", "无"}


@dataclass(frozen=True, slots=True)
class Audit:
    """What the rights audit found in a scheme, against a catalogue and a list of measures."""

    scheme: str
    purpose: Purpose
    catalogue_version: str
    measures_version: str
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        """The findings that keep the scheme from operation."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The findings published with the scheme."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def may_operate(self) -> bool:
        """Whether the scheme may be put into operation: an operation scheme with no error."""
        return self.purpose is Purpose.OPERATION and not self.errors

    def as_dict(self) -> dict[str, object]:
        """The audit as plain data, for the API and the published scheme page."""
        return {
            "scheme": self.scheme,
            "purpose": self.purpose.value,
            "catalogue_version": self.catalogue_version,
            "measures_version": self.measures_version,
            "may_operate": self.may_operate,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.as_dict() for f in self.findings],
        }


def audit_scheme(scheme: Scheme, catalogue: Catalogue, measures: MeasureList) -> Audit:
    """Every finding of the rights audit on ``scheme``, errors first, each with its field."""
    findings = [
        *_objection(scheme),
        *_legal_bases(scheme),
        *_record_types(scheme, catalogue),
        *_own_words(scheme, catalogue, measures),
        *_points(scheme, catalogue),
        *_grade_windows(scheme, catalogue),
        *list_findings(scheme, catalogue),
        *measure_findings(scheme, catalogue, measures),
    ]
    ordered = sorted(findings, key=lambda f: f.severity != "error")
    return Audit(scheme.label, scheme.purpose, catalogue.version, measures.version, tuple(ordered))


def _objection(scheme: Scheme) -> Iterator[Finding]:
    if scheme.objection is None:
        yield Finding(
            "error",
            "objection",
            "no objection route: a subject must be told how to object and within how many days it is decided",
            "国办发〔2020〕49号 (objections verified in time); Credit Reporting Industry Regulation (2013), Art. 25",
        )


def _legal_bases(scheme: Scheme) -> Iterator[Finding]:
    for field, basis in _bases(scheme):
        if basis.strip().lower().strip(".") in PLACEHOLDERS:
            yield Finding(
                "error",
                field,
                f"{basis!r} is not a legal basis: name the law, regulation or central policy the rule rests on",
                "国办发〔2020〕49号 (only under law, regulation or central policy)",
            )


def _bases(scheme: Scheme) -> Iterator[tuple[str, str]]:
    if scheme.objection is not None:
        yield "objection.legal_basis", scheme.objection.legal_basis
    for i, rule in enumerate(scheme.score.rules if scheme.score else []):
        yield f"score.rules[{i}].legal_basis", rule.legal_basis
    if scheme.grades is not None:
        yield "grades.legal_basis", scheme.grades.legal_basis
        for group in ("assign", "caps"):
            for i, grade_rule in enumerate(getattr(scheme.grades, group)):
                yield f"grades.{group}[{i}].legal_basis", grade_rule.legal_basis
    for name, items in (("lists", scheme.lists), ("links", scheme.links), ("measures", scheme.measures)):
        for i, item in enumerate(items):
            yield f"{name}[{i}].legal_basis", item.legal_basis
    for i, publication in enumerate(scheme.publications):
        yield f"publications[{i}].legal_basis", publication.legal_basis


def _record_types(scheme: Scheme, catalogue: Catalogue) -> Iterator[Finding]:
    forbidden = catalogue.forbidden()
    for field, record_type, _use in typed_uses(scheme):
        if catalogue.entry(record_type) is not None:
            continue
        reason = f"record type {record_type!r} is not in the catalogue of record types ({catalogue.version})"
        telling = first_sign(record_type, forbidden)
        if telling is not None:
            kind, _sign = telling
            reason += f"; its name reads as {kind.title.lower()}, which may never be recorded: {kind.reason}"
            yield Finding("error", field, reason, f"{CATALOGUE_RULE}; {kind.rests_on}")
        else:
            yield Finding("error", field, reason, CATALOGUE_RULE)


def _own_words(scheme: Scheme, catalogue: Catalogue, measures: MeasureList) -> Iterator[Finding]:
    """A rule, list or measure whose own words describe a forbidden kind, whatever its record types."""
    record_kinds = catalogue.forbidden()
    measure_kinds = measures.forbidden()
    texts: list[tuple[str, str, bool]] = []  # (field, text, is a measure)
    for i, rule in enumerate(scheme.score.rules if scheme.score else []):
        texts.append((f"score.rules[{i}]", f"{rule.id} {rule.description or ''} {rule.legal_basis}", False))
    if scheme.grades is not None:
        for group in ("assign", "caps"):
            for i, grade_rule in enumerate(getattr(scheme.grades, group)):
                text = f"{grade_rule.id} {grade_rule.description or ''} {grade_rule.legal_basis}"
                texts.append((f"grades.{group}[{i}]", text, False))
    for i, lst in enumerate(scheme.lists):
        texts.append((f"lists[{i}]", f"{lst.id} {lst.name} {lst.legal_basis}", False))
    for i, measure in enumerate(scheme.measures):
        texts.append((f"measures[{i}]", _measure_text(measure), True))
    for field, text, is_measure in texts:
        kinds = [*record_kinds, *measure_kinds] if is_measure else record_kinds
        for kind, sign in all_signs(text, kinds):
            yield Finding(
                "error",
                field,
                f"its own words ({sign!r}) describe {kind.title.lower()}, which is never scored or imposed: "
                f"{kind.reason}",
                kind.rests_on or CATALOGUE_RULE,
            )


def _measure_text(measure: Measure) -> str:
    return " ".join([measure.id, *measure.actions, measure.description or "", measure.legal_basis])


def _grade_windows(scheme: Scheme, catalogue: Catalogue) -> Iterator[Finding]:
    """A grade assignment or cap may not look back at adverse records further than they may count."""
    if scheme.grades is None:
        return
    for group in ("assign", "caps"):
        for i, grade_rule in enumerate(getattr(scheme.grades, group)):
            for p in grade_rule.when.walk():
                test = p.has_record
                if test is None or not isinstance(test.within, Period):
                    continue
                for t in test.types:
                    entry = catalogue.entry(t)
                    if entry is not None and entry.adverse and too_long(test.within, entry):
                        yield retention_finding(f"grades.{group}[{i}].when", t, f"{test.within} back", entry)


def _points(scheme: Scheme, catalogue: Catalogue) -> Iterator[Finding]:
    """Retention, adverse-only deductions, proportionality and caps of the point rules."""
    if scheme.score is None:
        return
    span = _span(scheme)
    for i, rule in enumerate(scheme.score.rules):
        entry = catalogue.entry(rule.record_type)
        field = f"score.rules[{i}]"
        cost = -rule.points if isinstance(rule.points, int) else -rule.points.min
        if entry is None:
            # Not in the catalogue (an error already); a deduction still counts 5 years at most, whatever it is.
            if cost > 0 and rule.counts_for is not None and period_days(rule.counts_for) > period_days(RETENTION_LIMIT):
                yield Finding(
                    "error",
                    f"{field}.counts_for",
                    f"a deduction counts 5 years at most, not {rule.counts_for}",
                    RETENTION_BASIS,
                )
            continue
        if cost > 0 and not entry.adverse:
            yield Finding(
                "error",
                f"{field}.points",
                f"{rule.record_type} is not adverse information, yet the rule takes points for it",
                f"{CATALOGUE_RULE}: only adverse information counts against a subject",
            )
        if entry.adverse and rule.counts_for is not None and too_long(rule.counts_for, entry):
            yield retention_finding(f"{field}.counts_for", rule.record_type, str(rule.counts_for), entry)
        yield from _proportion(field, rule.record_type, cost, span, entry)
        if entry.recurring and rule.cap_per_calendar_year is None and cost != 0:
            yield Finding(
                "warning",
                f"{field}.cap_per_calendar_year",
                f"{rule.record_type} is routine conduct that can recur, and each record counts {-cost:+d} points "
                "with no cap: points accumulate without a bound",
                PROPORTIONALITY,
            )


def _proportion(field: str, record_type: str, cost: int, span: int, entry: RecordTypeEntry) -> Iterator[Finding]:
    tier = entry.worst_tier
    if tier is None or span <= 0 or cost <= 0:
        return
    bound = TIER_POINT_SHARE[tier] * span
    if cost > bound:
        yield Finding(
            "warning",
            f"{field}.points",
            f"{cost} points for one {record_type} record, at most a {tier.value} matter, is "
            f"{cost / span:.0%} of the way from the base score to the lowest grade; a {tier.value} record "
            f"costs at most {TIER_POINT_SHARE[tier]:.0%} ({int(bound)} points) before it is out of proportion",
            PROPORTIONALITY,
        )


def _span(scheme: Scheme) -> int:
    """How far a subject's score may fall from the base before it reaches the lowest grade."""
    assert scheme.score is not None
    base = scheme.score.base
    if scheme.grades is not None and len(scheme.grades.bands) >= 2:
        lowest = scheme.grades.bands[-2].min
        if lowest is not None:
            return base - lowest
    return abs(base)
