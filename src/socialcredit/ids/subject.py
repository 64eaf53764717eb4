"""One entry point that recognises any subject identifier: :func:`parse_subject_id`.

Accepted forms (surrounding whitespace ignored, case-insensitive):

* an 18-character resident identity number, unified social credit code, or 2023 permanent residence card
  number; a 15-character 2017 permanent residence card number;
* ``passport:<ISSUER>:<NUMBER>``;
* any of these behind an explicit scheme prefix, ``resident_id:``, ``uscc:`` or ``permanent_residence:``,
  which restricts parsing to that scheme. The canonical value never carries the prefix (except passports).

The schemes overlap in form: an 18-digit number starting 1-8 may be a resident identity number or a USCC
whose first eight characters are digits; one starting with 9 may be a permanent residence card number or a
USCC registered by market regulation. Every scheme the form allows is tried. If exactly one accepts the text,
that is the answer. If none does, the reason reported is that of the scheme that got furthest (the usual
scheme for that form when tied). If several accept it, the text is refused as ambiguous and the caller is
asked to write the scheme prefix: records never attach to a subject by guesswork.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from socialcredit.errors import InvalidIdentifier, Problem
from socialcredit.ids.foreign import passport_from_text, permanent_residence_id
from socialcredit.ids.model import IdFailure, IdScheme, SubjectId, normalise
from socialcredit.ids.resident import resident_id
from socialcredit.ids.uscc import uscc_id

LABELS: dict[IdScheme, str] = {
    IdScheme.RESIDENT_ID: "resident identity number",
    IdScheme.USCC: "unified social credit code",
    IdScheme.PERMANENT_RESIDENCE: "permanent residence card number",
    IdScheme.PASSPORT: "passport reference",
}

_PARSERS: dict[IdScheme, Callable[[str], SubjectId]] = {
    IdScheme.RESIDENT_ID: resident_id,
    IdScheme.USCC: uscc_id,
    IdScheme.PERMANENT_RESIDENCE: permanent_residence_id,
    IdScheme.PASSPORT: passport_from_text,
}


def _candidates(value: str) -> list[IdScheme]:
    """The schemes whose form ``value`` could have, the usual one first; empty if none."""
    if len(value) == 15:
        return [IdScheme.PERMANENT_RESIDENCE] if value[:3].isalpha() else [IdScheme.RESIDENT_ID]
    if len(value) != 18:
        return []
    if not value[:17].isdigit():
        return [IdScheme.USCC]
    if value[0] == "9":
        # Market regulation's entity types are 1-3; a permanent residence card's province digit is 1-8.
        pair = [IdScheme.USCC, IdScheme.PERMANENT_RESIDENCE]
        return pair if value[1] in "123" else pair[::-1]
    if value[0] in "12345678":
        return [IdScheme.RESIDENT_ID, IdScheme.USCC]
    return [IdScheme.USCC]


def _refuse(field: str, text: str, reason: str) -> InvalidIdentifier:
    return InvalidIdentifier(problems=[Problem(reason=reason, field=field, value=text)])


def _parse_as(scheme: IdScheme, value: str, field: str, text: str) -> SubjectId:
    try:
        return _PARSERS[scheme](value)
    except IdFailure as failure:
        raise _refuse(field, text, f"{LABELS[scheme]}: {failure.reason}") from None


def parse_subject_id(text: str, *, field: str = "subject_id") -> SubjectId:
    """Validate a subject identifier of any accepted form and return it in canonical form.

    Raises :class:`InvalidIdentifier` with one :class:`Problem` (``field``, the text as given, a reason that
    names the scheme and says what was expected).
    """
    if isinstance(text, str):
        # A file names the same subjects again and again; valid answers are remembered (errors are not).
        return _parse_cached(text, field)
    return _parse(text, field)


@lru_cache(maxsize=1 << 18)
def _parse_cached(text: str, field: str) -> SubjectId:
    return _parse(text, field)


def _parse(text: str, field: str) -> SubjectId:
    if not isinstance(text, str):
        raise _refuse(field, repr(text), "an identifier must be text")
    value = normalise(text)
    if not value:
        raise _refuse(field, text, "empty identifier")
    if ":" in value:
        head, _, rest = value.partition(":")
        if head == "PASSPORT":
            return _parse_as(IdScheme.PASSPORT, value, field, text)
        try:
            scheme = IdScheme(head.lower())
        except ValueError:
            known = ", ".join(s.value for s in IdScheme)
            reason = f"unknown identifier scheme {head.lower()!r} (expected {known})"
            raise _refuse(field, text, reason) from None
        return _parse_as(scheme, rest, field, text)

    candidates = _candidates(value)
    if not candidates:
        raise _refuse(
            field,
            text,
            f"wrong length: {len(value)} character{'s' if len(value) != 1 else ''}; expected 18 (resident "
            "identity number, unified social credit code, 2023 permanent residence card), 15 (2017 "
            "permanent residence card) or passport:<ISSUER>:<NUMBER>",
        )
    accepted: list[SubjectId] = []
    failures: list[tuple[IdScheme, IdFailure]] = []
    for scheme in candidates:
        try:
            accepted.append(_PARSERS[scheme](value))
        except IdFailure as failure:
            failures.append((scheme, failure))
    if len(accepted) == 1:
        return accepted[0]
    if accepted:
        names = " and as a ".join(LABELS[s.scheme] for s in accepted)
        prefixes = " or ".join(f"{s.scheme.value}:{value}" for s in accepted)
        raise _refuse(field, text, f"ambiguous: valid as a {names}; write it as {prefixes}")
    deepest = max(failure.depth for _, failure in failures)
    scheme, failure = next((s, f) for s, f in failures if f.depth == deepest)
    raise _refuse(field, text, f"{LABELS[scheme]}: {failure.reason}")
