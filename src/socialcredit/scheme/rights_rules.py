"""The rights audit's findings, where a scheme reads record types, and the checks on its lists.

A black list needs a way off it: an exit record or a maximum period, an exit that a granted repair can use,
and no period longer than the listing record may count. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from socialcredit.catalogue.model import Catalogue, RecordTypeEntry, period_days
from socialcredit.scheme.model import ListRule, Period, Scheme

Severity = Literal["error", "warning"]

CATALOGUE_RULE = "国办发〔2020〕49号 (public credit information only by a published catalogue)"
MEASURES_RULE = "国办发〔2020〕49号 (no measure beyond law, regulation or central policy: the list of measures)"
PROPORTIONALITY = "过罚相当 (国办发〔2020〕49号); EU AI Act Art. 5(1)(c) (treatment out of proportion)"
SPILL_OVER = (
    "EU AI Act Art. 5(1)(c) (detrimental treatment in unrelated contexts); 国办发〔2020〕49号 (tied to the conduct)"
)
REPAIR_RULE = "国办发〔2020〕49号 (published removal conditions; repair open to anyone who corrects the conduct)"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the rights audit found: how serious, where, why, and the rule it rests on."""

    severity: Severity
    field: str
    reason: str
    rests_on: str

    def as_dict(self) -> dict[str, str]:
        """The finding as plain data."""
        return {"severity": self.severity, "field": self.field, "reason": self.reason, "rests_on": self.rests_on}

    def __str__(self) -> str:
        return f"{self.severity}: {self.field}: {self.reason} ({self.rests_on})"


def typed_uses(scheme: Scheme) -> Iterator[tuple[str, str, str]]:
    """(field, record type, use) for every place the scheme reads a record type."""
    for i, rule in enumerate(scheme.score.rules if scheme.score else []):
        yield f"score.rules[{i}].record_type", rule.record_type, "score"
    if scheme.grades is not None:
        for group in ("assign", "caps"):
            for i, grade_rule in enumerate(getattr(scheme.grades, group)):
                for p in grade_rule.when.walk():
                    for t in p.has_record.types if p.has_record else []:
                        yield f"grades.{group}[{i}].when", t, "grade"
    for i, lst in enumerate(scheme.lists):
        yield f"lists[{i}].entry.record_type", lst.entry.record_type, "entry"
        for j, ext in enumerate(lst.extensions):
            yield f"lists[{i}].extensions[{j}].record_type", ext.record_type, "extension"
        for j, ex in enumerate(lst.exits):
            yield f"lists[{i}].exits[{j}].record_type", ex.record_type, "exit"
    for i, link in enumerate(scheme.links):
        yield f"links[{i}].record_type", link.record_type, "link"
    for i, publication in enumerate(scheme.publications):
        for j, t in enumerate(publication.record_types):
            yield f"publications[{i}].record_types[{j}]", t, "publication"


def too_long(period: Period, entry: RecordTypeEntry) -> bool:
    """Whether ``period`` is longer than an adverse record of ``entry``'s type may count."""
    return period_days(period) > period_days(entry.counts_at_most)


def retention_finding(field: str, record_type: str, period: str, entry: RecordTypeEntry) -> Finding:
    """The error for a rule or list that keeps an adverse record counting too long."""
    return Finding(
        "error",
        field,
        f"{record_type} is adverse information that counts at most {entry.counts_at_most}, not {period}",
        "Credit Reporting Industry Regulation (2013), Art. 16 (adverse information kept 5 years); "
        "国办发〔2025〕22号 (tiers)",
    )


def list_findings(scheme: Scheme, catalogue: Catalogue) -> Iterator[Finding]:
    """Exits, repair paths, periods and tiers of the scheme's lists and publications."""
    for i, lst in enumerate(scheme.lists):
        if lst.kind == "black":
            yield from _way_off(f"lists[{i}]", lst)
        entry = catalogue.entry(lst.entry.record_type)
        if entry is None or not entry.adverse:
            continue
        for j, case in enumerate(lst.entry.duration):
            if case.period is not None and too_long(case.period, entry):
                yield retention_finding(
                    f"lists[{i}].entry.duration[{j}].period", lst.entry.record_type, str(case.period), entry
                )
        longest = max((c.period for c in lst.entry.duration if c.period is not None), key=period_days, default=None)
        for j, ext in enumerate(lst.extensions):
            if longest is not None:
                total = Period(years=longest.years + ext.max, months=longest.months, days=longest.days)
                if too_long(total, entry):
                    yield retention_finding(
                        f"lists[{i}].extensions[{j}].max",
                        lst.entry.record_type,
                        f"{total} with the longest extension",
                        entry,
                    )
    for i, publication in enumerate(scheme.publications):
        for j, t in enumerate(publication.record_types):
            entry = catalogue.entry(t)
            if entry is None or publication.severity is None or not entry.tiers:
                continue
            if publication.severity not in {tier.value for tier in entry.tiers}:
                yield Finding(
                    "error",
                    f"publications[{i}].record_types[{j}]",
                    f"{t} is a {'/'.join(x.value for x in entry.tiers)} matter, not {publication.severity}: "
                    f"it may not be published as one",
                    "国办发〔2025〕22号 (publication periods by tier)",
                )


def _way_off(field: str, lst: ListRule) -> Iterator[Finding]:
    open_ended = any(case.until_exit for case in lst.entry.duration)
    if not lst.exits and open_ended:
        yield Finding(
            "error",
            f"{field}.exits",
            f"black list {lst.id!r} has neither an exit record nor a maximum period: an entry could last for ever",
            REPAIR_RULE,
        )
    if not any(exit_rule.when is None for exit_rule in lst.exits):
        yield Finding(
            "error",
            f"{field}.exits",
            f"black list {lst.id!r} has no repair path: no exit record a granted credit repair can issue "
            "(an exit with no condition)",
            f"{REPAIR_RULE}; NDRC credit repair measures (in force 1 Apr 2026)",
        )
