"""The rights audit of a scheme's measures, against the list of measures and the catalogue.

A measure may touch only actions the list names, with an effect and on kinds of subject the list allows, after
records of the categories the list ties the action to; it may reach a linked subject only through a legal
representative's link and only where the action allows it. A measure whose action restricts a domain that none
of the records it follows concern is reported as cross-domain spill-over, with what the list says of it. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator

from socialcredit.catalogue.measures import ActionEntry, MeasureList
from socialcredit.catalogue.model import Catalogue
from socialcredit.catalogue.review import first_sign
from socialcredit.scheme.model import Effect, Measure, Scheme
from socialcredit.scheme.rights_rules import MEASURES_RULE, SPILL_OVER, Finding, typed_uses

THIRD_PARTY_RULE = (
    "SPC Provisions on Restricting High Consumption (2010, amended 2015), Art. 3 (the legal representative is the "
    "linked subject the law names); 国办发〔2020〕49号 (no widening of targets)"
)


def measure_findings(scheme: Scheme, catalogue: Catalogue, measures: MeasureList) -> Iterator[Finding]:
    """Every finding on the scheme's measures: errors per action, one spill-over warning per measure."""
    for i, measure in enumerate(scheme.measures):
        follows = _followed_categories(scheme, catalogue, measure)
        spilling: list[ActionEntry] = []
        for j, action in enumerate(measure.actions):
            field = f"measures[{i}].actions[{j}]"
            entry = measures.entry(action)
            if entry is None:
                yield _unlisted(field, action, measures)
                continue
            yield from _allowed(field, measure, entry)
            yield from _follows(field, action, follows, entry, catalogue)
            if any(entry.domain not in catalogue.category(c).domains for c in follows):
                spilling.append(entry)
        if spilling:
            yield _spill_over(f"measures[{i}]", measure, spilling, follows, catalogue)
        if measure.applies_to != "subject":
            yield from _third_party(f"measures[{i}].applies_to", scheme, catalogue, measures, measure)


def _spill_over(
    field: str, measure: Measure, entries: list[ActionEntry], follows: dict[str, str], catalogue: Catalogue
) -> Finding:
    domains = sorted({e.domain for e in entries})
    unrelated = sorted({c for c in follows for e in entries if e.domain not in catalogue.category(c).domains})
    names = ", ".join(catalogue.category(c).title.lower() for c in unrelated)
    actions = ", ".join(e.action for e in entries)
    reason = (
        f"cross-domain: measure {measure.id!r} touches {' and '.join(d.replace('_', ' ') for d in domains)} "
        f"({actions}), but follows {names} records"
    )
    notes = list(dict.fromkeys(e.cross_domain for e in entries if e.cross_domain))
    if notes:
        reason += "; by design — the list of measures says: " + "; ".join(notes)
    return Finding("warning", field, reason, SPILL_OVER)


def _unlisted(field: str, action: str, measures: MeasureList) -> Finding:
    reason = f"action {action!r} is not on the list of measures ({measures.version})"
    telling = first_sign(action, measures.forbidden())
    if telling is not None:
        kind, _sign = telling
        return Finding(
            "error", field, f"{reason}; it reads as {kind.title.lower()}: {kind.reason}", kind.rests_on or ""
        )
    return Finding("error", field, reason, MEASURES_RULE)


def _allowed(field: str, measure: Measure, entry: ActionEntry) -> Iterator[Finding]:
    if measure.effect not in entry.effects:
        yield Finding(
            "error",
            field,
            f"the list of measures allows {entry.action} only {', '.join(e.value for e in entry.effects)}, "
            f"not {measure.effect.value}",
            MEASURES_RULE,
        )
    outside = sorted(set(measure.subject_kinds) - set(entry.subject_kinds))
    if outside and measure.applies_to == "subject":
        yield Finding(
            "error",
            field,
            f"the list of measures applies {entry.action} to {', '.join(entry.subject_kinds)} only, "
            f"not {', '.join(outside)}",
            MEASURES_RULE,
        )


def _follows(
    field: str, action: str, follows: dict[str, str], entry: ActionEntry, catalogue: Catalogue
) -> Iterator[Finding]:
    outside = sorted(set(follows) - set(entry.follows))
    if outside:
        names = ", ".join(f"{catalogue.category(c).title.lower()} ({follows[c]})" for c in outside)
        yield Finding(
            "error",
            field,
            f"{action} may follow only {', '.join(entry.follows)} records; this measure follows {names}",
            f"{MEASURES_RULE}; measures tied to the conduct",
        )


def _third_party(
    field: str, scheme: Scheme, catalogue: Catalogue, measures: MeasureList, measure: Measure
) -> Iterator[Finding]:
    link = scheme.link(measure.applies_to)
    link_entry = catalogue.entry(link.record_type)
    if link_entry is not None and link_entry.link != "legal_representative":
        yield Finding(
            "error",
            field,
            f"measure {measure.id!r} reaches subjects linked by {link.record_type}, which does not name a legal "
            "representative: a legal representative is the only linked subject a measure may reach",
            THIRD_PARTY_RULE,
        )
    for action in measure.actions:
        entry = measures.entry(action)
        if entry is not None and "legal_representative" not in entry.third_parties:
            yield Finding(
                "error",
                field,
                f"{action} may not reach a linked subject: the list of measures names no third party for it",
                THIRD_PARTY_RULE,
            )


def _followed_categories(scheme: Scheme, catalogue: Catalogue, measure: Measure) -> dict[str, str]:
    """Category -> a record type of it, for the records that can bring the measure into force.

    On a list: its entry and extension records. On grades: the records that move the grade — for a
    restriction the adverse ones, for a priority every one (a reward follows good records too)."""
    out: dict[str, str] = {}
    if measure.when.list_ is not None:
        lst = scheme.list_rule(measure.when.list_)
        types = [lst.entry.record_type, *(e.record_type for e in lst.extensions)]
    else:
        types = [t for _field, t, use in typed_uses(scheme) if use in ("score", "grade")]
    for t in types:
        entry = catalogue.entry(t)
        if entry is None:
            continue
        if measure.effect is not Effect.PRIORITY and measure.when.grades is not None and not entry.adverse:
            continue
        out.setdefault(entry.category, t)
    return out
