"""What anyone may see about an organization: its registration as the registering authority recorded it, and its
public credit page — the penalty and licensing notices, list entries and ratings the schemes in operation publish
about it today.

An organization's registration is public (its code, name, entity type, registering authority, day of
registration); its legal representative is shown as a published list shows a person (the number masked). Nothing
else about it is shown unless a scheme in operation publishes it: a notice is shown only for its lawful period
(:mod:`socialcredit.engine.publications`), a list entry only while it is active on a public list
(:meth:`~socialcredit.service.public_views.PublicViews.subject_entries`), and a grade only where the scheme says
that grade is published (``grades.published``, with its legal basis: the tax credit rating's A grade). What due
process takes out of use (a record under an overdue objection, one behind a granted repair) is not shown; a
record under an objection still in time is shown marked disputed.

The page reads only public data, so it needs no party and logs no read.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from socialcredit.engine.population import subject_kind
from socialcredit.engine.publications import published_notices
from socialcredit.errors import InputError, InvalidIdentifier, NotFound, Problem
from socialcredit.ids import parse_subject_id
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme
from socialcredit.service.access import Guard
from socialcredit.service.context import Context, page
from socialcredit.service.evaluation import Evaluation, Overlay
from socialcredit.service.public_views import REGISTERED, PublicViews, mask_subject

REPRESENTATIVE = "registry.legal_representative"
"""The registering authority's record of who represents an organization at law."""

MIN_NAME_QUERY = 2
"""The shortest name a search takes: one character would match most of the register."""
MAX_QUERY = 100
"""The longest search text taken."""
CODE_LENGTH = 18


def fold(text: str) -> str:
    """A name as people type it: compatibility forms folded (full-width letters), spaces and case ignored."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _query_problem(reason: str, text: str) -> InputError:
    shown = text[:40].encode("utf-8", "replace").decode("utf-8")
    return InputError([Problem(reason, "q", shown)])


def checked_query(query: str) -> str:
    """The search text, stripped; InputError naming ``q`` for empty, too long or unprintable text."""
    if not isinstance(query, str):
        raise _query_problem("expected text", "")
    text = query.strip()
    if not text:
        raise _query_problem("enter an organization's name or its Unified Social Credit Code", "")
    if len(text) > MAX_QUERY:
        raise _query_problem(f"at most {MAX_QUERY} characters", text)
    if any(not ch.isprintable() or 0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise _query_problem("contains a character that cannot be part of a name or code", text)
    return text


def looks_like_code(text: str) -> bool:
    """Whether the search text has the form of a Unified Social Credit Code (18 letters and digits)."""
    value = text.replace(" ", "")
    return len(value) == CODE_LENGTH and value.isascii() and value.isalnum()


def organization_code(code: str, field: str = "code") -> str:
    """The canonical Unified Social Credit Code; InvalidIdentifier (naming ``field``) for anything else."""
    if not isinstance(code, str) or len(code) > 40 or not code.isprintable():
        raise InvalidIdentifier([Problem("expected an 18-character Unified Social Credit Code", field, "")])
    value = code.strip().replace(" ", "").upper()
    parsed = parse_subject_id(f"uscc:{value}", field=field)
    return parsed.value


def _latest(records: Iterable[Record]) -> Record | None:
    """The record that stands: the latest by day, then by when it was recorded."""
    ordered = sorted(records, key=lambda r: (r.occurred_at, r.recorded_at is not None, r.recorded_at, r.record_id))
    return ordered[-1] if ordered else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class RegistryViews:
    """Search the register, and each organization's public credit page."""

    def __init__(
        self, context: Context, guard: Guard, evaluation: Evaluation, public: PublicViews | None = None
    ) -> None:
        self.context = context
        self.guard = guard
        self.evaluation = evaluation
        self.public = public if public is not None else PublicViews(context, guard, evaluation)
        self._named: tuple[tuple[int, int], list[tuple[str, Record]]] | None = None
        """Every organization's standing registration with its folded name, as of the record writes counted
        (:meth:`LinkCache.writes <socialcredit.service.links.LinkCache.writes>`): a search by name reads the
        registrations again only after records were written."""

    # -- search ------------------------------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        """Organizations by exact Unified Social Credit Code (validated) or by name (a folded substring of at least
        two characters), newest registration first."""
        text = checked_query(query)
        limit = page(limit)
        if offset < 0:
            raise InputError([Problem("must be 0 or more", "offset", str(offset))])
        if looks_like_code(text):
            code = organization_code(text, field="q")
            found = self._registrations([code])
        else:
            wanted = fold(text)
            if len(wanted) < MIN_NAME_QUERY:
                raise _query_problem(f"enter at least {MIN_NAME_QUERY} characters of the name", text)
            found = [r for name, r in self._folded_registrations() if wanted in name]
        found.sort(key=lambda r: (r.occurred_at, r.subject_id), reverse=True)
        return {
            "query": text,
            "total": len(found),
            "limit": limit,
            "offset": offset,
            "items": [self._item(r) for r in found[offset : offset + limit]],
        }

    def _folded_registrations(self) -> list[tuple[str, Record]]:
        """Every organization's standing registration with its name folded; read again after a write of records."""
        writes = self.evaluation.links.writes()
        kept = self._named
        if kept is None or kept[0] != writes:
            # Read after ``writes``: a write landing in between is in the list and makes the next count differ.
            kept = (writes, [(fold(str(r.attributes.get("name") or "")), r) for r in self._registrations()])
            self._named = kept
        return kept[1]

    def _registrations(self, codes: Iterable[str] | None = None) -> list[Record]:
        """The registration standing for each organization (of ``codes``, or all)."""
        subject_ids = None if codes is None else set(codes)
        by_subject: dict[str, list[Record]] = {}
        for r in self.context.store.effective(subject_ids=subject_ids, types={REGISTERED}):
            if subject_kind(r.subject_id) == "organization":
                by_subject.setdefault(r.subject_id, []).append(r)
        return [latest for rs in by_subject.values() if (latest := _latest(rs)) is not None]

    @staticmethod
    def _item(registration: Record) -> dict[str, Any]:
        return {
            "code": registration.subject_id,
            "name": _text(registration.attributes.get("name")),
            "entity_type": _text(registration.attributes.get("entity_type")),
            "registered": registration.occurred_at.isoformat(),
        }

    # -- the public credit page --------------------------------------------------------------------------------

    def organization(self, code: str) -> dict[str, Any]:
        """What is public about an organization today: registration, notices, list entries, published ratings.
        NotFound when the platform holds no registration of the code."""
        code = organization_code(code)
        records = self.context.store.effective(subject_ids=[code])
        registration = _latest(r for r in records if r.type == REGISTERED)
        if registration is None:
            raise NotFound(f"no registration of organization {code} on this platform")
        names = self.public.authority_names()
        representative = _latest(r for r in records if r.type == REPRESENTATIVE)
        person = representative.attributes.get("person_id") if representative is not None else None
        overlay = self.evaluation.overlay([code])
        item = self._item(registration)
        return {
            **item,
            "registered_by": registration.authority,
            "registered_by_name": names.get(registration.authority),
            "legal_representative": mask_subject(person) if isinstance(person, str) else None,
            "as_of": self.context.today().isoformat(),
            "notices": self._notices(code, item["name"], records, overlay, names),
            "list_entries": self.public.subject_entries(code),
            "ratings": self._ratings(code, registration.occurred_at, overlay),
        }

    def _notices(
        self, code: str, name: str | None, records: list[Record], overlay: Overlay, names: dict[str, str]
    ) -> list[dict[str, Any]]:
        """The penalty and licensing notices published today about the organization, newest first."""
        today = self.context.today()
        usable = [r for r in records if r.key not in overlay.excluded]
        by_key = {r.key: r for r in usable}
        out: list[dict[str, Any]] = []
        for scheme in self.context.schemes:
            if not scheme.publications:
                continue
            for n in published_notices(scheme, usable, today):
                record = by_key[n.record.key]
                out.append(self._notice(n.kind, n.publication_id, record, n.legal_basis, n.until, name, names))
                out[-1]["disputed"] = record.key in overlay.disputed
        out.sort(key=lambda n: (n["day"], n["decision_no"] or ""), reverse=True)
        return out

    def _notice(
        self,
        kind: str,
        publication_id: str,
        record: Record,
        basis: str,
        until: date,
        name: str | None,
        names: dict[str, str],
    ) -> dict[str, Any]:
        """One notice with the standard fields of 双公示 (the record's where it carries them)."""
        a = record.attributes
        entry = self.context.catalogue.entry(record.type)
        amount = a.get("fine", a.get("amount"))
        return {
            "kind": kind,
            "publication_id": publication_id,
            "record_type": record.type,
            "record_title": entry.title if entry is not None else record.type,
            "record_title_zh": getattr(entry, "title_zh", None) if entry is not None else None,
            "party": name,
            "code": record.subject_id,
            "decision_no": _text(a.get("decision_no")) or record.source_ref,
            "licence_no": _text(a.get("licence_no")),
            "violation": _text(a.get("violation")),
            "facts": _text(a.get("facts")),
            "legal_basis": record.legal_basis or basis,
            "penalty": _text(a.get("penalty")),
            "amount": amount if isinstance(amount, int | float) and not isinstance(amount, bool) else None,
            "licence_name": _text(a.get("licence_name")),
            "content": _text(a.get("content")),
            "valid_from": _text(a.get("valid_from")),
            "valid_until": _text(a.get("valid_until")),
            "day": record.occurred_at.isoformat(),
            "authority": record.authority,
            "authority_name": names.get(record.authority),
            "published_until": until.isoformat(),
            "disputed": False,
        }

    def _ratings(self, code: str, registered: date, overlay: Overlay) -> list[dict[str, Any]]:
        """The grades the schemes publish: for a yearly rating, the last complete year's grade (none for a year
        the organization did not exist in)."""
        schemes = [s for s in self.context.schemes if _publishes_grades(s) and subject_kind(code) in _kinds(s)]
        if not schemes:
            return []
        evaluators = self.evaluation.evaluators([code], schemes=schemes, overlay=overlay)
        today = self.context.today()
        out = []
        for s in schemes:
            if (code, s.scheme) in overlay.score_suspended:
                continue  # a score under an overdue objection is out of use, and so is its grade
            yearly = s.score is not None and s.score.window == "calendar_year"
            as_of = date(today.year - 1, 12, 31) if yearly else today
            if registered > as_of:
                continue
            outcome = evaluators[s.scheme].core(code, as_of).grade
            grade = outcome.grade if outcome is not None else None
            if grade is None or s.grades is None or grade not in s.grades.published:
                continue
            out.append(
                {
                    "scheme": s.scheme,
                    "label": s.title,
                    "grade": grade,
                    "period": str(as_of.year) if yearly else as_of.isoformat(),
                    "legal_basis": s.grades.published_basis,
                    "disputed": (code, s.scheme) in overlay.score_disputed,
                }
            )
        return out


def _publishes_grades(scheme: Scheme) -> bool:
    return scheme.grades is not None and bool(scheme.grades.published)


def _kinds(scheme: Scheme) -> set[str]:
    return {str(k) for k in scheme.subject_kinds}


__all__ = ["RegistryViews", "checked_query", "fold", "looks_like_code", "organization_code"]
