"""What a published list may show of a person's identifier, and how many numbers it leaves to guess.

A published entry of the dishonest judgment debtors' list names the person's sex and age beside the number, the
case number, the court and the dates (SPC Provisions 法释〔2017〕7号, the article on what the list records and
publishes: for a natural person name, sex, age and identity number). None of it may narrow a listed
person's number to fewer than :data:`MIN_CANDIDATES`; otherwise the full-number lookup ("is this number listed?")
turns the public list into the person's number in a few hundred tries. The arithmetic, for each kind of number:

* **Resident identity number** (18 digits: division 6, birth date 8, sequence 3, check 1). Shown: the division
  only, ``371082************``. The age on the day of publication leaves a 365- or 366-day window of birth
  dates; the sex leaves the 500 sequence numbers of its parity (odd men, even women, 000-999); the check
  character follows from the rest and adds nothing. So at least 365 × 500 = 182,500 numbers fit what is
  published. (The form ``371082YYYY****NNNN`` used before showed the birth year and the last four characters:
  with the check character, about 33 birth dates remained, each one lookup away.)
* **Permanent residence card, 2023 format** (``9``, province 2, nationality 3, birth date 8, sequence 3, check
  1). Shown: the first six characters. As above, at least 182,500 numbers.
* **Permanent residence card, 2017 format** (nationality 3 letters, 12 digits of unpublished layout). Shown: the
  nationality; neither age nor sex is derived. 10^12 digit strings, of which at most a tenth fail a check digit
  if the last one is one: at least 10^11.
* **Passport** (issuer, 5-20 letters or digits). Shown: the issuer only, with a fixed number of stars, so
  not even the length shows: at least 36^5 = 60,466,176 numbers.
* **Organizations** are published with their Unified Social Credit Code in full, as the law requires: an
  organization's code is public registration data, not a secret.

The case number (``(2026)鲁1082执999号``), the court and the dates say nothing about the number beyond the
division, which is shown anyway. :func:`candidates` counts what fits a published entry and a test checks it
against brute force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from socialcredit.dates import add_years
from socialcredit.ids.model import IdScheme, SubjectId

MIN_CANDIDATES = 10_000
"""No published combination of fields may leave fewer numbers than this."""

PASSPORT_STARS = "********"


@dataclass(frozen=True, slots=True)
class Published:
    """What a published entry shows of a person's (or an organization's) identifier."""

    shown: str
    sex: str | None = None
    """``male`` or ``female`` when the number carries it."""
    age: int | None = None
    """Whole years on the day of publication, when the number carries a birth date."""


def birth_and_sex(subject: SubjectId) -> tuple[date, str] | None:
    """The birth date and sex a resident identity number or a 2023 permanent residence card carries."""
    value = subject.value
    carries = subject.scheme is IdScheme.RESIDENT_ID or (
        subject.scheme is IdScheme.PERMANENT_RESIDENCE and len(value) == 18
    )
    if not carries:
        return None
    birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    return birth, ("male" if int(value[16]) % 2 == 1 else "female")


def age_on(birth: date, day: date) -> int:
    """Whole years from ``birth`` to ``day`` (a birthday on 29 February counts on 28 February)."""
    years = day.year - birth.year
    return years if add_years(birth, years) <= day else years - 1


def publish(subject: SubjectId, day: date | None = None) -> Published:
    """What a published list shows of ``subject`` on ``day`` (without a day: no age)."""
    value = subject.value
    if subject.scheme is IdScheme.RESIDENT_ID:
        shown = value[:6] + "*" * 12
    elif subject.scheme is IdScheme.PERMANENT_RESIDENCE:
        shown = value[:6] + "*" * 12 if len(value) == 18 else value[:3] + "*" * 12
    elif subject.scheme is IdScheme.PASSPORT:
        head, _, _ = value.rpartition(":")
        shown = f"{head}:{PASSPORT_STARS}"
    else:  # an organization's code is published in full
        return Published(value)
    found = birth_and_sex(subject)
    if found is None:
        return Published(shown)
    birth, sex = found
    return Published(shown, sex=sex, age=age_on(birth, day) if day is not None else None)


def candidates(published: Published, scheme: IdScheme, day: date) -> int:
    """How many numbers of ``scheme`` fit what ``published`` shows on ``day`` (see the module docstring)."""
    if scheme is IdScheme.USCC:
        return 1
    if scheme is IdScheme.PASSPORT:
        return 36**5
    if published.age is None:
        return 10**11 if scheme is IdScheme.PERMANENT_RESIDENCE else 36_500 * 1_000
    latest = add_years(day, -published.age)  # born on or before this day to be that old
    earliest = add_years(day, -(published.age + 1))  # and after this one
    dates = (latest - earliest).days
    sequences = 500 if published.sex is not None else 1_000
    return dates * sequences
