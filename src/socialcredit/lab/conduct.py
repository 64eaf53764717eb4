"""How the synthetic city's subjects behave: the events of one person or one organization.

Every function here draws only from the ``random.Random`` it is given, which belongs to one subject, so a
subject's events depend on the seed and its own index and on nothing else. The rates are illustrative,
chosen so that the shipped schemes show their whole range on a city of 10,000 residents: most people have a
few traffic tickets or none and nothing negative otherwise, a minority volunteer or donate blood often, about
one in twenty goes through financial trouble and about one in a hundred through serious trouble; about 0.6 %
of persons and 4 % of organizations become dishonest judgment debtors.
"""

from __future__ import annotations

import calendar
import math
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from socialcredit.dates import add_months, add_years
from socialcredit.records import Scalar


class Event(NamedTuple):
    """A record before it has an id: when, what, its attributes, and who issues it if not the usual issuer."""

    occurred_at: date
    type: str
    attributes: dict[str, Scalar]
    authority: str | None = None
    legal_basis: str | None = None


DAY = timedelta(days=1)

GROUNDS = (1, 2, 3, 4, 5, 6)
GROUND_WEIGHTS = (70, 4, 8, 10, 6, 2)
"""Listing grounds (SPC 法释〔2017〕7号 Art. 1); ground 1, able to perform but refusing, is by far the most
common."""


def day_between(rng: random.Random, lo: date, hi: date) -> date:
    """A uniformly drawn day in ``[lo, hi]``."""
    return date.fromordinal(rng.randint(lo.toordinal(), hi.toordinal()))


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; a rounded normal above a mean of 30)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def spaced_days(rng: random.Random, lo: date, hi: date, per_year: float, min_gap_days: int) -> list[date]:
    """Days in ``[lo, hi]`` about ``per_year`` a year, at least ``min_gap_days`` apart, in order."""
    mean_gap = 365.25 / per_year
    extra = max(mean_gap - min_gap_days, 1.0)
    t = lo.toordinal() + rng.random() * mean_gap
    end = hi.toordinal()
    out = []
    while t <= end:
        out.append(date.fromordinal(int(t)))
        t += min_gap_days + rng.expovariate(1.0 / extra)
    return out


def _scattered(rng: random.Random, lo: date, hi: date, count: int, record_type: str) -> list[Event]:
    return [Event(day_between(rng, lo, hi), record_type, {}) for _ in range(count)]


def judgment_cases(rng: random.Random, lo: date, hi: date, court: str, case_base: int) -> list[Event]:
    """One or (sometimes) two enforcement cases that list the subject as a dishonest judgment debtor.

    Case numbers ``(2023)鲁1082执{n}号`` take ``n`` from ``case_base`` (unique per subject), so they are
    unique in the city. A ground-1 listing lasts until performance and is often ended by
    ``court.obligation_performed``; a listing on grounds 2–6 lasts two years and may be extended, each
    extension made while the entry is still active, and is sometimes ended early by performance.
    """
    events: list[Event] = []
    cases = 2 if rng.random() < 0.12 else 1
    for k in range(cases):
        listed = day_between(rng, lo, hi)
        case_no = f"({listed.year}){court}执{case_base + k + 1}号"
        ground = rng.choices(GROUNDS, GROUND_WEIGHTS)[0]
        events.append(Event(listed, "court.dishonest_listing", {"case_no": case_no, "ground": ground}))
        if ground == 1:
            if rng.random() < 0.6:
                performed = listed + timedelta(days=rng.randint(20, 900))
                if performed <= hi:
                    events.append(Event(performed, "court.obligation_performed", {"case_no": case_no}))
            continue
        expires = add_years(listed, 2)
        last = listed
        for chance in (0.3, 0.25):
            if rng.random() >= chance:
                break
            earliest, latest = last + timedelta(days=90), min(expires - DAY, hi)
            if earliest > latest:
                break
            last = day_between(rng, earliest, latest)
            years = rng.choices((1, 2, 3), (5, 3, 2))[0]
            events.append(Event(last, "court.listing_extension", {"case_no": case_no, "years": years}))
            expires = add_years(expires, years)
        if rng.random() < 0.15:
            earliest, latest = last + timedelta(days=30), min(expires - DAY, hi)
            if earliest <= latest:
                performed = day_between(rng, earliest, latest)
                events.append(Event(performed, "court.obligation_performed", {"case_no": case_no}))
    return events


def _arrears(rng: random.Random, lo: date, hi: date, months: int) -> list[Event]:
    """One episode of consecutive overdue monthly cycles."""
    first = day_between(rng, lo, hi)
    days = (add_months(first, k) for k in range(months))
    return [Event(d, "finance.loan_arrears_month", {}) for d in days if d <= hi]


def _late_fees(rng: random.Random, lo: date, hi: date, count: int, adjudicated: float) -> list[Event]:
    return [
        Event(day_between(rng, lo, hi), "utility.late_fees", {"adjudicated": rng.random() < adjudicated})
        for _ in range(count)
    ]


def _other_dishonesty(rng: random.Random, lo: date, hi: date, worst: int) -> Event:
    points = -5 * rng.randint(1, worst // 5)
    return Event(day_between(rng, lo, hi), "commerce.other_dishonesty", {"points": points})


def person_events(rng: random.Random, lo: date, hi: date, court: str, case_base: int) -> list[Event]:
    """A person's events in ``[lo, hi]`` (their adult life within the city's window), unordered."""
    years = ((hi - lo).days + 1) / 365.25
    events: list[Event] = []
    add = events.extend

    # Driving: a little over half drive; tickets vary a lot between drivers.
    if rng.random() < 0.55:
        add(_scattered(rng, lo, hi, poisson(rng, rng.expovariate(1 / 0.45) * years), "traffic.violation"))
        if rng.random() < 0.006:
            add(_scattered(rng, lo, hi, 1, "traffic.drunk_driving"))

    # Civic life: a minority volunteer often (so the yearly cap bites), some now and then; blood donors give
    # whole blood at most twice a year, a few give platelets every few weeks.
    draw = rng.random()
    if draw < 0.05:
        days = spaced_days(rng, lo, hi, rng.uniform(3.0, 8.0), 7)
    elif draw < 0.15:
        days = spaced_days(rng, lo, hi, rng.uniform(0.2, 1.0), 7)
    else:
        days = []
    add(Event(d, "volunteer.service", {}) for d in days)
    draw = rng.random()
    if draw < 0.006:
        days = spaced_days(rng, lo, hi, rng.uniform(4.0, 10.0), 14)
    elif draw < 0.066:
        days = spaced_days(rng, lo, hi, rng.uniform(0.5, 2.0), 183)
    else:
        days = []
    add(Event(d, "health.blood_donation", {}) for d in days)
    if rng.random() < 0.003:
        add(_scattered(rng, lo, hi, 1, "honor.heroic_act"))

    # Rare conduct that can happen to anyone.
    for record_type, chance in (
        ("utility.heating_tampering", 0.001),
        ("utility.theft", 0.0005),
        ("utility.equipment_destruction", 0.0002),
        ("commerce.pyramid_selling_or_fraud", 0.0002),
        ("commerce.counterfeit_goods", 0.0004),
        ("finance.illegal_fundraising", 0.0001),
    ):
        if rng.random() < chance:
            add(_scattered(rng, lo, hi, 1, record_type))
    if rng.random() < 0.003:
        events.append(_other_dishonesty(rng, lo, hi, 20))
    if rng.random() < 0.025:
        add(_late_fees(rng, lo, hi, 1, 0.05))

    # Money trouble: none (80 %), minor (14 %), stressed (5 %), severe (1 %).
    draw = rng.random()
    if draw < 0.80:
        return events
    if draw < 0.94:
        for _ in range(rng.randint(1, 2)):
            kind = rng.choices(
                ("fees", "arrears", "breach", "dishonesty", "lending", "guarantee"), (30, 30, 12, 5, 5, 3)
            )[0]
            if kind == "fees":
                add(_late_fees(rng, lo, hi, 1, 0.08))
            elif kind == "arrears":
                add(_arrears(rng, lo, hi, rng.randint(1, 3)))
            elif kind == "breach":
                add(_scattered(rng, lo, hi, 1, "finance.contract_breach"))
            elif kind == "dishonesty":
                events.append(_other_dishonesty(rng, lo, hi, 25))
            elif kind == "lending":
                add(_scattered(rng, lo, hi, 1, "finance.private_lending_breach"))
            else:
                add(_scattered(rng, lo, hi, 1, "finance.guarantee_breach"))
        return events

    severe = draw >= 0.99
    episodes = rng.randint(1, 3) if severe else 1 + (rng.random() < 0.4)
    for _ in range(episodes):
        months = int(rng.triangular(3, 24, 6)) if severe else rng.randint(2, 9)
        add(_arrears(rng, lo, hi, months))
    for record_type, chance_stressed, chance_severe in (
        ("finance.contract_breach", 0.5, 0.8),
        ("finance.private_lending_breach", 0.25, 0.5),
        ("finance.guarantee_breach", 0.15, 0.35),
        ("court.contract_breach_judgment", 0.2, 0.55),
        ("court.unpaid_debt_judgment", 0.2, 0.6),
        ("utility.heating_tampering", 0.03, 0.1),
        ("utility.theft", 0.01, 0.1),
        ("utility.equipment_destruction", 0.0, 0.02),
        ("commerce.pyramid_selling_or_fraud", 0.0, 0.05),
        ("commerce.counterfeit_goods", 0.0, 0.05),
        ("finance.illegal_fundraising", 0.0, 0.03),
    ):
        if rng.random() < (chance_severe if severe else chance_stressed):
            count = 1 + (severe and rng.random() < 0.3)
            add(_scattered(rng, lo, hi, count, record_type))
    if rng.random() < (0.6 if severe else 0.4):
        add(_late_fees(rng, lo, hi, rng.randint(1, 4 if severe else 3), 0.3 if severe else 0.15))
    if rng.random() < (0.2 if severe else 0.08):
        events.append(_other_dishonesty(rng, lo, hi, 50))
    if rng.random() < (0.45 if severe else 0.03):
        cases = judgment_cases(rng, lo, hi, court, case_base)
        judged = cases[0].occurred_at - timedelta(days=rng.randint(60, 400))
        if judged >= lo:
            events.append(Event(judged, "court.unpaid_debt_judgment", {}))
        add(cases)
    return events


TAX_ISSUES: tuple[tuple[str, float], ...] = (
    ("tax.late_filing", 0.05),
    ("tax.late_payment", 0.04),
    ("tax.unpaid_arrears", 0.015),
    ("tax.invoice_violation", 0.02),
    ("tax.inspection_refusal", 0.004),
)
"""Occasional tax irregularities: expected number per organization and calendar year. Organizations fall into
three compliance tiers: good (84 %), poor (13 %, four times as many) and delinquent (3 %, thirty times as many:
enough to rate C or D in a year)."""


def organization_events(
    rng: random.Random,
    *,
    registered: date,
    social: bool,
    lo: date,
    hi: date,
    pick_representative: Callable[[date], str],
    court: str,
    case_base: int,
    registrar: str | None,
    registry_basis: dict[str, str],
) -> list[Event]:
    """An organization's events: registration and representatives, yearly tax records, court cases.

    One ``tax.revenue_reported`` per calendar year of operation in the window, dated at the year's first
    quarterly return (and at the window's end if that return is due later), carrying the year's revenue
    (0 for a dormant organization or a year without business).

    ``registered`` may be before ``lo`` (the registry records then are too); everything else happens in
    ``[max(lo, registered), hi]``. ``pick_representative`` draws a resident of the city who is an adult on the
    given day (from its own random stream, so that the rest of the organization's events do not depend on how
    many residents there are).
    """
    events: list[Event] = []

    def registry(day: date, record_type: str, attributes: dict[str, Scalar]) -> None:
        events.append(Event(day, record_type, attributes, registrar, registry_basis.get(record_type)))

    registry(registered, "registry.registered", {})
    registry(registered, "registry.legal_representative", {"person_id": pick_representative(registered)})
    active_from = max(lo, registered)
    if rng.random() < 0.10:
        last = max(lo, registered + timedelta(days=30))
        for _ in range(1 + (rng.random() < 0.1)):
            if last > hi:
                break
            last = day_between(rng, last, hi)
            registry(last, "registry.legal_representative", {"person_id": pick_representative(last)})
            last += DAY

    draw = rng.random()
    poor, delinquent = draw >= 0.84, draw >= 0.97
    multiplier = 30 if delinquent else 4 if poor else 1
    dormant = rng.random() < (0.15 if social else 0.04)
    size = rng.lognormvariate(math.log(200_000 if social else 1_500_000), 1.0 if social else 1.4)
    zero_year = 0.35 if social else 0.06
    for year in range(active_from.year, hi.year + 1):
        first, last = max(active_from, date(year, 1, 1)), min(hi, date(year, 12, 31))
        share_of_year = ((date(year, 12, 31) - first).days + 1) / (365 + calendar.isleap(year))
        revenue = 0
        if not dormant and rng.random() >= zero_year:
            revenue = round(size * share_of_year * rng.lognormvariate(0.0, 0.35), -2)
        # The year's revenue is declared with its first quarterly return, early in the month after the
        # quarter in which the organization was first active that year (mid-April for a whole year).
        month = (first.month - 1) // 3 * 3 + 4
        filed = date(year, 12, 31) if month > 12 else date(year, month, 1) + timedelta(days=rng.randint(0, 14))
        events.append(Event(min(filed, last), "tax.revenue_reported", {"revenue": int(revenue)}))
        for record_type, rate in TAX_ISSUES:
            for _ in range(poisson(rng, rate * multiplier)):
                events.append(Event(day_between(rng, first, last), record_type, {}))

    if rng.random() < (0.12 if poor else 0.02):
        day = day_between(rng, active_from, hi)
        amount = max(1_000, round(rng.lognormvariate(math.log(120_000), 1.3)))
        share = round(min(0.95, max(0.005, rng.betavariate(2.0, 6.0))), 4)
        events.append(Event(day, "tax.evasion", {"amount": amount, "share_of_tax_due": share}))
        if rng.random() < 0.2:
            events.append(Event(day_between(rng, day, hi), "tax.crime", {}))
    if rng.random() < (0.06 if poor else 0.01):
        events.append(Event(day_between(rng, active_from, hi), "tax.abnormal_taxpayer", {}))
    if rng.random() < (0.125 if poor else 0.025):
        events.extend(judgment_cases(rng, active_from, hi, court, case_base))
    return events
