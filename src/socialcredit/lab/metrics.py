"""A run's metrics, as plain data for ``metrics.json``: the same seed gives the same bytes.

Shares are of adults (18 or older on the month's last day). A restriction is a measure with effect ``deny`` in
force on a month's last day; person-days count a month's days for each person restricted at its end. Disparate
impact is fairlearn's selection rate per group and the demographic-parity ratio (the lowest group's rate over
the highest's), with the four-fifths rule marked; the selection is "restricted at some month's end".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from socialcredit.lab import calibration
from socialcredit.lab.observe import MonthView
from socialcredit.lab.simulation import Run

FOUR_FIFTHS = 0.8
PLACES = 6


def _r(value: float) -> float:
    return round(float(value), PLACES)


def _share(part: float, whole: float) -> float:
    return _r(part / whole) if whole else 0.0


def metrics(run: Run) -> dict[str, Any]:
    """Everything the report shows, month by month and in total."""
    labels = [s.label for s in run.schemes]
    adults = [int(run.people.adult(m.last).sum()) for m in run.months]
    out: dict[str, Any] = {
        "scenario": run.scenario.model_dump(mode="json"),
        "months": [f"{m.first:%Y-%m}" for m in run.months],
        "population": _population(run),
        "adults": adults,
        "schemes": {label: _scheme(run, label, adults) for label in labels},
        "objections": _objections(run),
        "disparate_impact": {label: _disparate(run, label) for label in labels},
        "protected_activity": {"petitions": run.petitions, "total": sum(run.petitions), "chilled": run.chilled},
    }
    out["calibration"] = calibration.check(run, out)
    return out


def _population(run: Run) -> dict[str, Any]:
    p = run.people
    regions = [r.name for r in run.scenario.population.regions]
    return {
        "residents": len(p),
        "organizations": len(run.organizations),
        "men": int(p.male.sum()),
        "urban_household": int(p.urban.sum()),
        "by_region": {name: int((p.region == k).sum()) for k, name in enumerate(regions)},
        "by_income": {band: int((p.income == k).sum()) for k, band in enumerate(("low", "middle", "high"))},
        "employed": int((p.employer >= 0).sum()),
    }


def _scheme(run: Run, label: str, adults: list[int]) -> dict[str, Any]:
    views: list[MonthView] = [v[label] for v in run.views]
    first = views[0]
    out: dict[str, Any] = {}
    if first.scale:
        counts = [np.bincount(v.grade_index[v.grade_index >= 0], minlength=len(v.scale)) for v in views]
        out["grades"] = {g: [_share(c[k], c.sum()) for c in counts] for k, g in enumerate(first.scale)}
    out["lists"] = {}
    for list_id in first.lists:
        per = [v.lists[list_id] for v in views]
        false_ever = set().union(*(x.false_keys for x in per))
        out["lists"][list_id] = {
            "active": [x.active for x in per],
            "active_persons_share": [_share(x.persons, a) for x, a in zip(per, adults, strict=True)],
            "active_false": [x.active_false for x in per],
            "new": [x.new for x in per],
            "new_false": [x.new_false for x in per],
            "false_listings": len(false_ever),
            "false_entry_months": sum(x.active_false for x in per),
        }
    out["measures"] = {}
    days = [m.days for m in run.months]
    for measure_id, m0 in first.measures.items():
        per = [v.measures[measure_id] for v in views]
        out["measures"][measure_id] = {
            "effect": m0.effect,
            "adults_share": [_share(len(x.persons), a) for x, a in zip(per, adults, strict=True)],
            "persons": [len(x.persons) for x in per],
            "organizations": [x.organizations for x in per],
            "wrongful": [len(x.wrongful) for x in per],
            "wrongful_person_days": sum(len(x.wrongful) * d for x, d in zip(per, days, strict=True)),
            "person_days": sum(len(x.persons) * d for x, d in zip(per, days, strict=True)),
            "spill_over_person_days": sum(len(x.spill_over) * d for x, d in zip(per, days, strict=True)),
            "via_link_person_days": sum(len(x.via_link) * d for x, d in zip(per, days, strict=True)),
        }
    deny = [set().union(*(x.persons for x in v.measures.values() if x.effect == "deny")) for v in views]
    wrongful = [set().union(*(x.wrongful for x in v.measures.values() if x.effect == "deny")) for v in views]
    out["restricted_adults_share"] = [_share(len(d), a) for d, a in zip(deny, adults, strict=True)]
    out["wrongful_restriction_person_days"] = sum(len(w) * d for w, d in zip(wrongful, days, strict=True))
    out["restriction_person_days"] = sum(len(x) * d for x, d in zip(deny, days, strict=True))
    return out


def _objections(run: Run) -> dict[str, Any]:
    months = [f"{m.first:%Y-%m}" for m in run.months]
    at = {m: k for k, m in enumerate(months)}

    def by_month(days: list) -> list[int]:
        counts = [0] * len(months)
        for day in days:
            k = at.get(f"{day:%Y-%m}")
            if k is not None:
                counts[k] += 1
        return counts

    every = run.reviewers.all
    decided = [o for o in every if o.decided is not None]
    filed = by_month([o.filed for o in every])
    done = by_month([o.decided for o in decided])
    backlog, open_ = [], 0
    for f, d in zip(filed, done, strict=True):
        open_ += f - d
        backlog.append(open_)
    return {
        "capacity_per_month": run.scenario.objections.reviewers_per_month,
        "filed": filed,
        "decided": done,
        "upheld": by_month([o.decided for o in decided if o.upheld]),
        "late": by_month([o.decided for o in decided if o.late]),
        "backlog": backlog,
        "total": {
            "filed": len(every),
            "by_the_wronged": sum(o.wronged for o in every),
            "decided": len(decided),
            "upheld": sum(o.upheld for o in decided),
            "late": sum(o.late for o in decided),
            "suspended_for_lateness": sum(o.suspended for o in every),
            "undecided_at_end": len(every) - len(decided),
        },
    }


def groups(run: Run) -> dict[str, np.ndarray]:
    """Each adult's group by sex, age band, region and household registration, at the last month's end."""
    p, day = run.people, run.months[-1].last
    regions = np.array([r.name for r in run.scenario.population.regions], dtype=object)
    return {
        "sex": np.where(p.male, "men", "women"),
        "age_band": p.age_band(day),
        "region": regions[p.region],
        "household": np.where(p.urban, "urban", "rural"),
        "income": np.array(["low", "middle", "high"], dtype=object)[p.income],
    }


def _disparate(run: Run, label: str) -> dict[str, Any]:
    from fairlearn.metrics import MetricFrame, demographic_parity_ratio, selection_rate

    adult = run.people.adult(run.months[-1].last)
    restricted = np.zeros(len(run.people), bool)
    for view in run.views:
        for m in view[label].measures.values():
            if m.effect == "deny" and m.persons:
                restricted[list(m.persons)] = True
    y = restricted[adult].astype(int)
    out: dict[str, Any] = {"selected": int(y.sum()), "of": int(adult.sum()), "selection": "restricted at a month's end"}
    if not y.any():
        out["groups"] = {}
        return out
    found = {}
    for attribute, values in groups(run).items():
        sensitive = values[adult]
        frame = MetricFrame(metrics=selection_rate, y_true=y, y_pred=y, sensitive_features=sensitive)
        ratio = demographic_parity_ratio(y, y, sensitive_features=sensitive)
        counts = {str(g): int((sensitive == g).sum()) for g in sorted(set(sensitive))}
        found[attribute] = {
            "selection_rate": {str(g): _r(v) for g, v in sorted(frame.by_group.items())},
            "count": counts,
            "demographic_parity_ratio": _r(ratio),
            "four_fifths_rule": "passes" if ratio >= FOUR_FIFTHS else "fails",
        }
    out["groups"] = found
    return out
