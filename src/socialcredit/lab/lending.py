"""The synthetic city's lender and a handful of credit applications to it, scored by its published scorecard.

An application states what a standard credit form asks (the catalogue's ``finance.application`` attributes: no
sex, age, marital status, nationality, health or belief). Each attribute is drawn on its own from the German
credit data's distribution of it (1,000 applicants: the counts of each answer, or for an amount or a term 20
evenly spaced quantiles), so the applicants look like the lender's training data without being any of them.
Who applies and what they state come from a random stream of their own (``{seed}/lending``), so nothing else in
the city moved.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from socialcredit.authorities import Authority
from socialcredit.dates import add_years
from socialcredit.lab.synth import CitySpec, resident_birth_and_sequence, resident_id
from socialcredit.records import Record, Scalar

LENDER = "RC-BANK"
LENDER_NAME = "Rongcheng Rural Commercial Bank (demo lender)"
APPLICATION = "finance.application"
APPLICATION_BASIS = "Credit application to the lender (Commercial Banks Law, Art. 35)"

_ANSWERS: dict[str, dict[Scalar, int]] = {
    "checking_account": {
        "no checking account": 394,
        "... < 0 DM": 274,
        "0 <= ... < 200 DM": 269,
        "... >= 200 DM / salary assignments for at least 1 year": 63,
    },
    "credit_history": {
        "existing credits paid back duly till now": 530,
        "critical account/ other credits existing (not at this bank)": 293,
        "delay in paying off in the past": 88,
        "all credits at this bank paid back duly": 49,
        "no credits taken/ all credits paid back duly": 40,
    },
    "purpose": {
        "radio/television": 280,
        "car (new)": 234,
        "furniture/equipment": 181,
        "car (used)": 103,
        "business": 97,
        "education": 50,
        "repairs": 22,
        "domestic appliances": 12,
        "others": 12,
        "retraining": 9,
    },
    "savings": {
        "... < 100 DM": 603,
        "unknown/ no savings account": 183,
        "100 <= ... < 500 DM": 103,
        "500 <= ... < 1000 DM": 63,
        "... >= 1000 DM": 48,
    },
    "employed_since": {
        "1 <= ... < 4 years": 339,
        "... >= 7 years": 253,
        "4 <= ... < 7 years": 174,
        "... < 1 year": 172,
        "unemployed": 62,
    },
    "installment_rate": {1: 136, 2: 231, 3: 157, 4: 476},
    "other_debtors": {"none": 907, "guarantor": 52, "co-applicant": 41},
    "residence_since": {1: 130, 2: 308, 3: 149, 4: 413},
    "property": {
        "car or other, not in attribute Savings account/bonds": 332,
        "real estate": 282,
        "building society savings agreement/ life insurance": 232,
        "unknown / no property": 154,
    },
    "other_installment_plans": {"none": 814, "bank": 139, "stores": 47},
    "housing": {"own": 713, "rent": 179, "for free": 108},
    "existing_credits": {1: 633, 2: 333, 3: 28, 4: 6},
    "job": {
        "skilled employee / official": 630,
        "unskilled - resident": 200,
        "management/ self-employed/ highly qualified employee/ officer": 148,
        "unemployed/ unskilled - non-resident": 22,
    },
    "dependants": {1: 845, 2: 155},
    "telephone": {"none": 596, "yes, registered under the customers name": 404},
}
_QUANTILES: dict[str, tuple[int, ...]] = {
    "duration_months": (6, 6, 9, 11, 12, 12, 12, 15, 15, 18, 18, 21, 24, 24, 24, 27, 30, 36, 42, 48),
    "amount": (609, 802, 1049, 1220, 1308, 1413, 1542, 1813, 1966, 2213, 2406, 2714, 3024, 3414, 3777, 4299, 5255,
               6468, 7826, 11594),
}  # fmt: skip
ATTRIBUTES: tuple[str, ...] = (
    "checking_account", "duration_months", "credit_history", "purpose", "amount", "savings", "employed_since",
    "installment_rate", "other_debtors", "residence_since", "property", "other_installment_plans", "housing",
    "existing_credits", "job", "dependants", "telephone",
)  # fmt: skip
"""What the form asks, in file order."""


def lender(division: str) -> Authority:
    """The city's lender: it issues the applications made to it (the catalogue's ``lending`` competence)."""
    return Authority(code=LENDER, name=LENDER_NAME, jurisdiction=division, competences=("lending",))


def stated(rng: random.Random) -> dict[str, Scalar]:
    """One application's answers, each drawn on its own."""
    out: dict[str, Scalar] = {}
    for name in ATTRIBUTES:
        if name in _QUANTILES:
            out[name] = rng.choice(_QUANTILES[name])
        else:
            answers = _ANSWERS[name]
            out[name] = rng.choices(list(answers), weights=list(answers.values()))[0]
    return out


def applicants(spec: CitySpec, count: int, day: date) -> list[str]:
    """``count`` residents who are adults on ``day``, drawn without replacement (seeded, in draw order)."""
    rng = random.Random(f"{spec.seed}/lending/applicants")
    chosen: list[str] = []
    for index in rng.sample(range(spec.residents), min(spec.residents, 4 * count)):
        birth, _sequence = resident_birth_and_sequence(spec, index)
        if add_years(birth, 18) <= day:
            chosen.append(resident_id(spec, index))
        if len(chosen) == count:
            break
    return chosen


def applications(applicants: list[str], *, seed: int, until: date, days: int = 90) -> list[Record]:
    """One application from each of ``applicants`` (in that order), made in the ``days`` days up to ``until``."""
    rng = random.Random(f"{seed}/lending")
    out = []
    for n, subject_id in enumerate(applicants, 1):
        made = until - timedelta(days=rng.randrange(days))
        out.append(
            Record(
                record_id=f"APP-{made.year}-{n:05d}",
                subject_id=subject_id,
                type=APPLICATION,
                occurred_at=made,
                attributes=stated(rng),
                authority=LENDER,
                legal_basis=APPLICATION_BASIS,
                source_ref=f"RCB-CREDIT-{made:%Y%m%d}-{n:05d}",
            )
        )
    return out
