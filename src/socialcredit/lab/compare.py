"""What-if: one scenario under two versions of a scheme, person by person.

Both runs draw the same population and the same random streams (:mod:`socialcredit.lab.streams` keys every draw
by seed, purpose and month, not by scheme), so what differs is what each version does and how people react to
it. The differences are read at the last month's end."""

from __future__ import annotations

from typing import Any

import numpy as np

from socialcredit.lab.metrics import groups, metrics
from socialcredit.lab.simulation import Progress, Run, Simulation
from socialcredit.scheme.model import Scheme


def _end_state(run: Run) -> tuple[np.ndarray | None, tuple[str, ...], set[int], set[int]]:
    """Grades (or None), the scale, persons listed and persons restricted, at the end."""
    label = run.schemes[0].label
    view = run.views[-1][label]
    listed = set().union(*(x.listed for x in view.lists.values()))
    restricted = set().union(*(x.persons for x in view.measures.values() if x.effect == "deny"))
    grades = run.grades_by_person[label][-1] if view.scale else None
    return grades, view.scale, listed, restricted


def differences(a: Run, b: Run) -> dict[str, Any]:
    """Who changes grade, who is newly (or no longer) listed or restricted under ``b`` against ``a``, in all and
    by group."""
    ga, scale_a, listed_a, restricted_a = _end_state(a)
    gb, scale_b, listed_b, restricted_b = _end_state(b)
    n = len(a.people)
    better = worse = np.zeros(n, bool)
    if ga is not None and gb is not None and scale_a == scale_b:
        both = (ga >= 0) & (gb >= 0)
        better, worse = both & (gb < ga), both & (gb > ga)  # a lower index is a better grade

    def mask(found: set[int]) -> np.ndarray:
        out = np.zeros(n, bool)
        out[list(found)] = True
        return out

    changes = {
        "grade_better": better,
        "grade_worse": worse,
        "newly_listed": mask(listed_b - listed_a),
        "no_longer_listed": mask(listed_a - listed_b),
        "newly_restricted": mask(restricted_b - restricted_a),
        "no_longer_restricted": mask(restricted_a - restricted_b),
    }
    out: dict[str, Any] = {name: int(m.sum()) for name, m in changes.items()}
    adult = a.people.adult(a.months[-1].last)
    by_group: dict[str, Any] = {}
    for attribute, values in groups(a).items():
        by_group[attribute] = {
            str(g): {name: int((m & adult & (values == g)).sum()) for name, m in changes.items()}
            for g in sorted(set(values[adult]))
        }
    out["by_group"] = by_group
    out["persons"] = {name: [a.people.ids[i] for i in np.flatnonzero(m)] for name, m in changes.items()}
    return out


def _side_by_side(ma: dict[str, Any], mb: dict[str, Any]) -> list[dict[str, Any]]:
    sa, sb = next(iter(ma["schemes"].values())), next(iter(mb["schemes"].values()))
    rows = [
        (
            "adults restricted at the end",
            f"{100 * sa['restricted_adults_share'][-1]:.2f} %",
            f"{100 * sb['restricted_adults_share'][-1]:.2f} %",
        ),
        ("restriction person-days", f"{sa['restriction_person_days']:,}", f"{sb['restriction_person_days']:,}"),
        (
            "wrongful restriction person-days",
            f"{sa['wrongful_restriction_person_days']:,}",
            f"{sb['wrongful_restriction_person_days']:,}",
        ),
        ("objections filed", f"{ma['objections']['total']['filed']:,}", f"{mb['objections']['total']['filed']:,}"),
        ("objections upheld", f"{ma['objections']['total']['upheld']:,}", f"{mb['objections']['total']['upheld']:,}"),
    ]
    rows.append(
        (
            "petitions made",
            f"{ma['protected_activity']['total']:,}",
            f"{mb['protected_activity']['total']:,}",
        )
    )
    for grade in sa.get("grades", {}):
        if grade in sb.get("grades", {}):
            rows.append(
                (
                    f"adults in grade {grade} at the end",
                    f"{100 * sa['grades'][grade][-1]:.1f} %",
                    f"{100 * sb['grades'][grade][-1]:.1f} %",
                )
            )
    return [{"metric": m, "a": x, "b": y} for m, x, y in rows]


def compare(
    scenario: Any, a: Scheme, b: Scheme, progress: Progress | None = None, workers: int = 1
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the scenario under ``a`` and under ``b``; the metrics of ``a`` and the comparison (both runs'
    metrics, the person-level differences and the metrics side by side)."""
    runs = []
    for k, scheme in enumerate((a, b)):
        step = None if progress is None else (lambda done, total, k=k: progress(k * total + done, 2 * total))
        simulation = Simulation(scenario.model_copy(update={"schemes": [scheme.label]}), [scheme], workers=workers)
        runs.append(simulation.run(step))
    ma, mb = metrics(runs[0]), metrics(runs[1])
    found = {
        "a": a.label,
        "b": b.label,
        "differences": differences(runs[0], runs[1]),
        "side_by_side": _side_by_side(ma, mb),
        "metrics": {"a": ma, "b": mb},
    }
    return ma, found
