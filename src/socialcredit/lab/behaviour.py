"""What the synthetic city does in one month: everyday conduct, money trouble, court cases, and data errors.

Each draw comes from a stream of its own (:class:`~socialcredit.lab.streams.Streams`, one per purpose and month),
and every person's draws are element ``i`` of it, so that conduct depends on the seed, the person's attributes
and the person's own state and on nothing else. The state that feeds back is what the platform did to them: a
score close to the band below deters minor offences, and being listed is what a debtor performs under.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np

from socialcredit.lab.catalogue import RECORD_TYPES, RecordType, authority_prefix
from socialcredit.lab.people import People
from socialcredit.lab.scenario import Scenario
from socialcredit.lab.streams import Streams

ADVERSE = frozenset(
    {
        "traffic.violation",
        "traffic.drunk_driving",
        "utility.late_fees",
        "finance.loan_arrears_month",
        "court.unpaid_debt_judgment",
        "court.dishonest_listing",
    }
)
"""The adverse types this model files, any of which a mistyped identity number can put on the wrong person."""

PETITION = "letters_visits.petition"
LAB_ONLY_TYPES = {
    PETITION: RecordType(
        PETITION,
        "RC-LETTERS",
        "Regulation on Letters and Visits (2022): a petition, recorded here for the lab only",
        "信访{year}{serial}号",
    )
}
"""Types the lab files only to measure what a rule on them would do: the catalogue refuses them to operation,
so they are not in the city's catalogue (:mod:`socialcredit.lab.catalogue`)."""
LAB_ONLY_PREFIXES = {"RC-LETTERS": "LTV"}


def record_type(name: str) -> RecordType:
    """A type the simulation files: the city's, or one for the lab only."""
    return RECORD_TYPES.get(name) or LAB_ONLY_TYPES[name]


def record_prefix(authority: str) -> str:
    """The record id prefix of an authority, the lab's letters and visits office included."""
    return LAB_ONLY_PREFIXES.get(authority) or authority_prefix(authority)


MAX_SAME_MONTH = 4
"""At most this many records of one type for one person in one month (the rest are not drawn)."""


@dataclass(frozen=True)
class Month:
    """One step: its number from the first simulated month (0) and its days."""

    number: int
    first: date

    @cached_property
    def days(self) -> int:
        return calendar.monthrange(self.first.year, self.first.month)[1]

    @property
    def last(self) -> date:
        return self.first.replace(day=self.days)

    def day(self, u: float) -> date:
        """The day a uniform draw falls on."""
        return self.first.replace(day=1 + min(int(u * self.days), self.days - 1))

    def following(self) -> Month:
        year, month = divmod(self.first.month, 12)
        return Month(self.number + 1, date(self.first.year + year, month + 1, 1))


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened, to a person (``kind`` ``P``) or an organization (``O``) by index."""

    kind: str
    index: int
    type: str
    day: date
    attributes: tuple[tuple[str, object], ...] = ()
    case: int | None = None


@dataclass
class Case:
    """A judgment debt: who owes it, whom the platform lists for it, and what truly happened."""

    number: int
    kind: str
    index: int
    case_no: str
    judged: int  # month number
    listed: int | None = None
    listed_as: tuple[str, int] | None = None  # the subject the listing record names (another, if mistyped)
    paid: bool = False
    performed: date | None = None
    exit_sent: bool = False

    @property
    def open(self) -> bool:
        return not self.paid and self.performed is None


@dataclass
class Conduct:
    """The state conduct reads and changes: money trouble and open cases per person."""

    trouble: np.ndarray
    open_case: np.ndarray  # case number per person, -1 for none
    open_org_case: np.ndarray
    cases: list[Case] = field(default_factory=list)

    @classmethod
    def empty(cls, persons: int, organizations: int) -> Conduct:
        return cls(np.zeros(persons, bool), np.full(persons, -1), np.full(organizations, -1))


def _counts(events: list[Event], streams: Streams, month: Month, purpose: str, counts: np.ndarray, what: str) -> None:
    """One event of type ``what`` per count, each on a day of its own stream."""
    counts = np.minimum(counts, MAX_SAME_MONTH)
    for k in range(int(counts.max(initial=0))):
        u = streams.uniform(f"{purpose}-day-{k}", month.number, len(counts))
        for i in np.flatnonzero(counts > k):
            events.append(Event("P", int(i), what, month.day(float(u[i]))))


def everyday(scenario: Scenario, people: People, streams: Streams, month: Month, near: np.ndarray) -> list[Event]:
    """Traffic tickets, drunk driving, volunteering, blood donation and late utility fees."""
    c, n, m = scenario.conduct, len(people), month.number
    adult = people.adult(month.last)
    deterred = 1.0 - scenario.deterrence.reduction * near
    events: list[Event] = []
    driving = (people.driver & adult).astype(float)
    _counts(
        events,
        streams,
        month,
        "traffic",
        streams.poisson("traffic", m, driving * deterred * c.tickets_per_driver_year / 12),
        "traffic.violation",
    )
    drunk = streams.uniform("drunk", m, n) < driving * deterred * c.drunk_driving_per_driver_year / 12
    _counts(events, streams, month, "drunk", drunk.astype(np.int64), "traffic.drunk_driving")
    giving = (people.volunteer & adult).astype(float) * c.volunteering_per_volunteer_year / 12
    _counts(events, streams, month, "volunteer", streams.poisson("volunteer", m, giving), "volunteer.service")
    donating = (people.donor & adult).astype(float) * c.donations_per_donor_year / 12
    _counts(events, streams, month, "donation", streams.poisson("donation", m, donating), "health.blood_donation")
    fees = adult & (streams.uniform("late-fees", m, n) < c.late_fees_per_year / 12)
    u = streams.uniform("late-fees-day", m, n)
    events.extend(
        Event("P", int(i), "utility.late_fees", month.day(float(u[i])), (("adjudicated", False),))
        for i in np.flatnonzero(fees)
    )
    return events


def petitions(scenario: Scenario, people: People, streams: Streams, month: Month, chilled: bool) -> list[Event]:
    """Petitions to the letters and visits office; fewer while a scheme in the run marks them down."""
    p = scenario.protected
    if p.petitions_per_adult_year <= 0:
        return []
    rate = p.petitions_per_adult_year / 12 * (1.0 - p.chilling if chilled else 1.0)
    events: list[Event] = []
    means = people.adult(month.last).astype(float) * rate
    _counts(events, streams, month, "petition", streams.poisson("petition", month.number, means), PETITION)
    return events


def money(
    scenario: Scenario, people: People, streams: Streams, month: Month, state: Conduct, court: str
) -> list[Event]:
    """Money trouble and what follows: arrears, judgments, listings, payment and performance."""
    d, n, m = scenario.debt, len(people), month.number
    adult = people.adult(month.last)
    enter = np.array([d.trouble_per_month[b] for b in ("low", "middle", "high")])[people.income]
    falls = adult & ~state.trouble & (streams.uniform("trouble", m, n) < enter)
    recovers = state.trouble & (state.open_case < 0) & (streams.uniform("recovery", m, n) < d.recovery_per_month)
    state.trouble = (state.trouble | falls) & ~recovers
    events: list[Event] = []
    arrears = state.trouble & (streams.uniform("arrears", m, n) < d.arrears_per_month)
    u = streams.uniform("arrears-day", m, n)
    events.extend(
        Event("P", int(i), "finance.loan_arrears_month", month.day(float(u[i]))) for i in np.flatnonzero(arrears)
    )
    judged = state.trouble & (state.open_case < 0) & (streams.uniform("judgment", m, n) < d.judgment_per_month)
    u = streams.uniform("judgment-day", m, n)
    for i in np.flatnonzero(judged):
        case = _new_case(state, "P", int(i), m, month, court)
        state.open_case[i] = case.number
        events.append(Event("P", int(i), "court.unpaid_debt_judgment", month.day(float(u[i])), case=case.number))
    events.extend(_person_cases(scenario, streams, month, state, n))
    return events


def _new_case(state: Conduct, kind: str, index: int, m: int, month: Month, court: str) -> Case:
    number = len(state.cases)
    case = Case(number, kind, index, f"({month.first.year}){court}执{number + 1}号", judged=m)
    state.cases.append(case)
    return case


def _person_cases(scenario: Scenario, streams: Streams, month: Month, state: Conduct, n: int) -> list[Event]:
    m = month.number
    pay, listing = streams.uniform("pay", m, n), streams.uniform("listing", m, n)
    perform, stale = streams.uniform("perform", m, n), streams.uniform("stale", m, n)
    days = streams.uniform("case-day", m, n)
    events: list[Event] = []
    for i in np.flatnonzero(state.open_case >= 0):
        case = state.cases[state.open_case[i]]
        if case.judged == m:
            continue
        events.extend(_step(scenario, case, month, pay[i], listing[i], perform[i], stale[i], days[i]))
        if not case.open:
            state.open_case[i] = -1
    return events


def _step(
    scenario: Scenario, case: Case, month: Month, pay: float, listing: float, perform: float, stale: float, u: float
) -> list[Event]:
    """One month of a case: paid before listing, listed, or performed after listing (its exit record sent unless
    it goes stale)."""
    d, m = scenario.debt, month.number
    if case.listed is None:
        if pay < d.paid_per_month:
            case.paid = True
        elif m - case.judged >= d.listed_after_months and listing < d.listing_per_month:
            case.listed = m
            ground = (("case_no", case.case_no), ("ground", 1))
            return [Event(case.kind, case.index, "court.dishonest_listing", month.day(u), ground, case.number)]
        return []
    if perform >= d.performed_per_month:
        return []
    case.performed = month.day(u)
    if stale < scenario.errors.stale_exit:
        return []
    case.exit_sent = True
    return [
        Event(
            case.kind,
            case.index,
            "court.obligation_performed",
            case.performed,
            (("case_no", case.case_no),),
            case.number,
        )
    ]


def organization_cases(
    scenario: Scenario, streams: Streams, month: Month, state: Conduct, count: int, court: str
) -> list[Event]:
    """Organizations listed as dishonest judgment debtors (directly: a ground-1 listing), and performing."""
    d, m = scenario.debt, month.number
    listed = (state.open_org_case < 0) & (streams.uniform("org-listing", m, count) < d.organization_listing_per_month)
    perform, stale = streams.uniform("org-perform", m, count), streams.uniform("org-stale", m, count)
    days = streams.uniform("org-day", m, count)
    events: list[Event] = []
    for j in np.flatnonzero(state.open_org_case >= 0):
        case = state.cases[state.open_org_case[j]]
        events.extend(_step(scenario, case, month, 1.0, 1.0, perform[j], stale[j], days[j]))
        if not case.open:
            state.open_org_case[j] = -1
    for j in np.flatnonzero(listed):
        case = _new_case(state, "O", int(j), m, month, court)
        case.listed = m
        state.open_org_case[j] = case.number
        ground = (("case_no", case.case_no), ("ground", 1))
        events.append(Event("O", int(j), "court.dishonest_listing", month.day(float(days[j])), ground, case.number))
    return events


def mistyped(scenario: Scenario, streams: Streams, month: Month, events: list[Event], persons: int) -> dict[int, int]:
    """Which events are filed against the wrong person, and whom: event position -> person index. A person's first
    adverse record of the month may be mistyped (one draw per person and month)."""
    if persons < 2 or scenario.errors.mistyped_id <= 0:
        return {}
    u = streams.uniform("mistype", month.number, persons)
    target = streams.uniform("mistype-target", month.number, persons)
    seen: set[int] = set()
    out: dict[int, int] = {}
    for k, e in enumerate(events):
        if e.kind != "P" or e.type not in ADVERSE or e.index in seen:
            continue
        seen.add(e.index)
        if u[e.index] < scenario.errors.mistyped_id:
            other = int(target[e.index] * persons)
            out[k] = other if other != e.index else (other + 1) % persons
    return out
