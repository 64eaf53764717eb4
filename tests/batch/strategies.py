"""Hypothesis strategies: generated schemes (every construct the batch engines compile) and record sets with
edges (29 February, year ends, mixed attribute types, missing attributes, ties on a day)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from socialcredit.records import Record
from socialcredit.scheme.model import Scheme
from tests.factories import organization, person

PEOPLE = [person(i) for i in range(1, 4)]
ORGS = [organization(i) for i in range(1, 3)]
SCORED = ["a.one", "a.two", "b.three"]
ENTRY, EXTENSION, EXIT, LINK = "l.entry", "l.extend", "l.exit", "reg.link"
TYPES = [*SCORED, ENTRY, EXTENSION, EXIT, LINK]
EDGES = [date(2020, 2, 29), date(2021, 2, 28), date(2021, 3, 1), date(2022, 12, 31), date(2023, 1, 1),
         date(2024, 2, 29), date(2024, 12, 31), date(2025, 1, 1)]
BASIS = {"legal_basis": "test basis"}

days = st.one_of(
    st.sampled_from(EDGES),
    st.integers(0, 7 * 365).map(lambda n: date(2019, 1, 1) + timedelta(days=n)),
)
as_of_days = st.one_of(st.sampled_from([date(2024, 2, 29), date(2024, 12, 31), date(2025, 2, 28),
                                        date(2026, 1, 1)]), days)

# Attribute values of every kind, so that one attribute holds numbers on one record and text on another.
numbers = st.one_of(st.integers(-70, 70), st.integers(-280, 280).map(lambda n: n / 4))
scalars = st.one_of(numbers, st.booleans(), st.sampled_from(["x", "y", "7", "true"]))
key_values = st.sampled_from(["A", "B", 1, 1.0, 2, True, "1", "true"])
year_values = st.one_of(st.integers(0, 4), st.sampled_from([2.0, 2.5, "2", True]))

periods = st.one_of(
    st.builds(lambda y: {"years": y}, st.integers(1, 4)),
    st.builds(lambda m: {"months": m}, st.integers(1, 18)),
    st.builds(lambda d: {"days": d}, st.integers(1, 500)),
    st.builds(lambda y, m, d: {"years": y, "months": m, "days": d}, st.integers(0, 2), st.integers(0, 3),
              st.integers(1, 40)),
)


def _leaf(attribute: str) -> st.SearchStrategy[dict]:
    ops = st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"])
    return st.one_of(
        st.builds(lambda op, v: {"attribute": attribute, op: v}, st.sampled_from(["eq", "ne"]), scalars),
        st.builds(lambda op, v: {"attribute": attribute, op: v}, ops, numbers),
        st.builds(lambda vs: {"attribute": attribute, "in": vs}, st.lists(scalars, min_size=1, max_size=3)),
        st.builds(lambda b: {"attribute": attribute, "present": b}, st.booleans()),
    )


leaves = st.sampled_from(["n", "f", "t"]).flatmap(_leaf)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=2)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=2)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=3,
)
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731


@st.composite
def schemes(draw) -> Scheme:
    calendar = draw(st.booleans())
    rules = []
    for i in range(draw(st.integers(1, 5))):
        rule = {"id": f"r{i}", "record_type": draw(st.sampled_from(SCORED)), **BASIS}
        when = draw(maybe(conditions))
        if when is not None:
            rule["when"] = when
        if draw(st.booleans()):
            rule["points"] = draw(st.integers(-60, 40))
        else:
            lo = draw(st.integers(-60, 20))
            rule["points"] = {"attribute": "n", "min": lo, "max": lo + draw(st.integers(0, 60))}
        if not calendar:
            rule["counts_for"] = draw(periods)
        if draw(st.integers(0, 3)) == 0:
            rule["cap_per_calendar_year"] = draw(st.integers(1, 40))
        factor = draw(st.sampled_from([None, None, "f1", "f2"]))  # a scorecard's variables: a record per factor
        if factor is not None:
            rule["factor"] = factor
        rules.append(rule)
    rule_ids = [r["id"] for r in rules]
    mins = sorted(draw(st.lists(st.integers(800, 1200), min_size=3, max_size=3, unique=True)), reverse=True)
    scale = ["A", "B", "C", "D"]

    def predicates(depth: int):
        leaves_ = [
            st.builds(lambda op, v: {"score": {op: v}}, st.sampled_from(["lt", "le", "gt", "ge", "eq"]),
                      st.integers(850, 1150)),
            st.builds(lambda t, w, within: {"has_record": {"types": t, **({"when": w} if w else {}),
                                                            "within": within}},
                      st.lists(st.sampled_from(TYPES), min_size=1, max_size=2, unique=True), maybe(conditions),
                      st.one_of(st.just("evaluation_year"), periods)),
            st.builds(lambda r: {"counting": r}, st.sampled_from(rule_ids)),
        ]
        if calendar:
            leaves_.append(st.builds(lambda y, g: {"previous_grades": {"years": y, "grades": g}},
                                     st.integers(1, 3), st.lists(st.sampled_from(scale), min_size=1, max_size=2)))
        leaf = st.one_of(*leaves_)
        if depth == 0:
            return leaf
        inner = predicates(depth - 1)
        return st.one_of(leaf, st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=2)),
                         st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=2)),
                         st.builds(lambda x: {"not": x}, inner))

    assign = [{"id": f"as{i}", "grade": draw(st.sampled_from(scale)), "when": draw(predicates(1)), **BASIS}
              for i in range(draw(st.integers(0, 2)))]
    if calendar and assign and draw(st.booleans()):
        caps_prev = [{"id": "cap-prev", "at_most": "B", **BASIS,
                      "when": {"previous_grades": {"years": draw(st.integers(1, 2)), "assigned_by": ["as0"]}}}]
    else:
        caps_prev = []
    caps = [{"id": f"cap{i}", "at_most": draw(st.sampled_from(scale)), "when": draw(predicates(1)), **BASIS}
            for i in range(draw(st.integers(0, 2)))] + caps_prev
    durations = [{"period": draw(periods)}]
    if draw(st.booleans()):
        first = {"until_exit": True} if draw(st.booleans()) else {"period": draw(periods)}
        durations.insert(0, {"when": draw(conditions), **first})
    entry = {"record_type": ENTRY, "duration": durations}
    if draw(st.booleans()):
        entry["key"] = "k"
    if draw(st.booleans()):
        entry["when"] = draw(conditions)
    exit_rule = {"record_type": EXIT}
    if draw(st.booleans()):
        exit_rule["when"] = draw(conditions)
    kinds = draw(st.sampled_from([["person"], ["person", "organization"]]))
    doc = {
        "scheme": "generated", "version": "1", "title": "generated", "subject_kinds": kinds,
        "jurisdiction": "371082", "effective_from": draw(st.sampled_from([date(2019, 1, 1), date(2021, 7, 1)])),
        "sources": [{"id": "s", "title": "test"}],
        "objection": {"how": "write to us", "decided_within_days": 10, **BASIS},
        "score": {"base": 1000, "window": "calendar_year" if calendar else "rolling", "rules": rules},
        "grades": {"scale": scale, **BASIS, "assign": assign, "caps": caps,
                   "bands": [{"grade": "A", "min": mins[0]}, {"grade": "B", "min": mins[1]},
                             {"grade": "C", "min": mins[2]}, {"grade": "D"}]},
        "lists": [{"id": "black", "name": "Black list", "kind": "black", "subject_kinds": kinds, **BASIS,
                   "remedy": "perform", "entry": entry, "exits": [exit_rule],
                   "extensions": [{"record_type": EXTENSION, "years_from": "y", "min": 1,
                                   "max": draw(st.integers(1, 4))}]}],
        "links": [{"id": "rep", "record_type": LINK, "attribute": "who", **BASIS}],
        "measures": [
            {"id": "m-list", "actions": ["fly"], "effect": "deny", "when": {"list": "black"},
             "subject_kinds": kinds, **BASIS},
            {"id": "m-grade", "actions": ["loan"], "effect": "priority", "when": {"grades": ["A"]},
             "subject_kinds": ["person"], **BASIS},
            {"id": "m-rep", "actions": ["fly"], "effect": "deny", "when": {"list": "black"},
             "subject_kinds": ["organization"], "applies_to": "rep", **BASIS},
        ],
    }
    return Scheme.model_validate(doc)


@st.composite
def record_sets(draw) -> list[Record]:
    out = []
    for i in range(draw(st.integers(0, 40))):
        type_ = draw(st.sampled_from(TYPES))
        subject = draw(st.sampled_from(ORGS if type_ == LINK else PEOPLE + ORGS))
        attributes = {}
        for name, values in (("n", scalars), ("f", scalars), ("t", scalars)):
            if draw(st.integers(0, 2)):
                attributes[name] = draw(values)
        if type_ in (ENTRY, EXTENSION, EXIT) and draw(st.integers(0, 5)):
            attributes["k"] = draw(key_values)
        if type_ == EXTENSION and draw(st.integers(0, 5)):
            attributes["y"] = draw(year_values)
        if type_ == LINK:
            attributes["who"] = draw(st.one_of(st.sampled_from(PEOPLE), st.just(7)))
        out.append(Record(record_id=f"R{i:02d}", subject_id=subject, type=type_, occurred_at=draw(days),
                          attributes=attributes, authority=draw(st.sampled_from(["", "A1", "B2"]))))
    return out
