"""What anyone may see: the schemes in operation with their rights audits, the catalogue of record types and the
list of measures they rest on, the published lists (identity numbers masked), the penalty and licensing notices a
scheme publishes, and whether a full identifier is listed.

Nothing published narrows a listed person's number to fewer than 10,000 candidates (the arithmetic is in
:mod:`socialcredit.ids.masking`), and the full-number lookup cannot be used to try them: it is rate-limited per
client, and where the platform holds the person's name (a record in force carrying a ``name``), it finds an
entry only when given that name with the number, as the court's own query asks. An answer never says which of
the two was missing. A lookup of a number with no published entry writes nothing; one that finds a listed
person is counted in that person's access log, per day and party (the first of the day also in the audit log),
so that anonymous requests cannot grow the store without bound.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import insert, update

from socialcredit.authorities import division_prefix
from socialcredit.catalogue.measures import ActionEntry, MeasureList
from socialcredit.catalogue.model import AttributeKind, Catalogue, RecordTypeEntry
from socialcredit.engine.population import subject_kind
from socialcredit.engine.publications import published_notices
from socialcredit.errors import InputError, NotFound, Problem
from socialcredit.ids import parse_subject_id
from socialcredit.ids.masking import Published, publish
from socialcredit.ids.places import division
from socialcredit.records import Record
from socialcredit.scheme.model import ListRule, Scheme
from socialcredit.scheme.publications import Publication
from socialcredit.service.access import Guard
from socialcredit.service.context import Context, InOperation, canonical, page
from socialcredit.service.evaluation import Evaluation
from socialcredit.service.parties import Party
from socialcredit.service.public_lists import ListCache, Listed, State, read_state
from socialcredit.service.rate_limits import RateLimiter
from socialcredit.tables.service import public_lookups_table

NAME_ATTRIBUTE = "name"
"""The record attribute that carries a subject's name, where an authority records one."""
REGISTERED = "registry.registered"
"""The registering authority's record that an organization exists, with its name and entity type."""

MAX_FILTER_LENGTH = 64
"""The longest authority code a list's filter accepts."""


def mask_subject(subject_id: str) -> str:
    """How a published list shows a subject's identifier (:func:`socialcredit.ids.masking.publish`)."""
    return publish(parse_subject_id(subject_id)).shown


def published(subject_id: str, day: date) -> Published:
    """What a published list shows of a subject on ``day``: the masked identifier, and a person's sex and age."""
    return publish(parse_subject_id(subject_id), day)


def division_name(code: str) -> str | None:
    """The name of an administrative division (GB/T 2260, as python-stdnum holds it): the one in use now, else
    the last one it had; None for a code it does not know."""
    found = division(code)
    if found is None or not found.names:
        return None
    current = [name for name, _, end in found.names if end is None]
    return current[-1] if current else found.names[-1][0]


def regions_of(code: str | None) -> list[str]:
    """The province, city and county codes a six-digit division code lies in (``371082`` → ``370000``,
    ``371000``, ``371082``), each once; none for no code or the national one."""
    if not code or code == "000000" or len(code) != 6 or not code.isdigit():
        return []
    return list(dict.fromkeys([code[:2] + "0000", code[:4] + "00", code]))


def _region_filter(region: str | None) -> str | None:
    """The division-code prefix a region filter stands for; InputError for one that is not a division code."""
    if region is None or region == "":
        return None
    if len(region) != 6 or not region.isdigit() or region == "000000":
        raise InputError(
            [
                Problem(
                    "expected a six-digit administrative division code (370000, 371000, 371082)", "region", region[:20]
                )
            ]
        )
    return division_prefix(region)


def _authority_filter(authority: str | None) -> str | None:
    if authority is None or authority == "":
        return None
    if len(authority) > MAX_FILTER_LENGTH or not authority.isprintable():
        raise InputError(
            [
                Problem(
                    f"expected an authority code of at most {MAX_FILTER_LENGTH} characters", "authority", authority[:20]
                )
            ]
        )
    return authority


def same_name(given: str, held: str) -> bool:
    """Names compared as people type them: compatibility forms folded, spaces and case ignored."""

    def fold(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split()).casefold()

    return fold(given) == fold(held)


def held_name(records: Sequence[Record]) -> str | None:
    """The name the platform holds for a subject: the latest one its records in force carry."""
    named = [r for r in records if isinstance(r.attributes.get(NAME_ATTRIBUTE), str)]
    if not named:
        return None
    latest = max(named, key=lambda r: (r.occurred_at, r.recorded_at is not None, r.recorded_at, r.record_id))
    return str(latest.attributes[NAME_ATTRIBUTE])


class PublicViews:
    """The public's views; no party needed except for the lookup, which is logged."""

    def __init__(self, context: Context, guard: Guard, evaluation: Evaluation) -> None:
        self.context = context
        self.guard = guard
        self.evaluation = evaluation
        settings = context.settings
        self.lookups = RateLimiter(
            per_minute=settings.lookup_per_minute, burst=settings.lookup_burst, clock=context.clock, what="lookups"
        )
        self.listed = ListCache()
        """Each published list's entries, made again only when the records, the cases or the day change."""
        self._published: tuple[InOperation, dict[str, dict[str, Any]]] | None = None
        """The audits as published, by scheme label, with the schemes in operation they were made for: made once
        per version put into operation, not per request."""

    def _audits(self) -> tuple[InOperation, dict[str, dict[str, Any]]]:
        """The schemes in operation and their audits as published, taken together."""
        operation = self.context.operation
        published = self._published
        if published is None or published[0] is not operation:
            published = (operation, {label: audit.as_dict() for label, audit in operation.audits.items()})
            self._published = published
        return published

    def schemes(self) -> list[dict[str, Any]]:
        """Each scheme in operation: name, version, title, objection route, repair deadline and rights audit."""
        operation, audits = self._audits()
        return [
            {
                "scheme": s.scheme,
                "version": s.version,
                "label": s.label,
                "title": s.title,
                "objection": {
                    "how": s.objection_route.how.strip(),
                    "decided_within_days": self.context.objection_days(s),
                    "legal_basis": s.objection_route.legal_basis,
                },
                "repair_decided_within_working_days": self.context.repair_working_days(s),
                "audit": audits[s.label],
            }
            for s in operation.schemes
        ]

    def audit(self, name: str) -> dict[str, Any]:
        """The rights audit of a scheme in operation (made when it was put into operation): every finding with its
        severity, field, reason and the rule it rests on, and the catalogue and measures versions."""
        operation, audits = self._audits()
        scheme = operation.scheme(name) or self.context.scheme(name)  # NotFound for a name not in operation
        return audits[scheme.label]

    def catalogue(self) -> Catalogue:
        """The catalogue of record types the schemes in operation were audited against."""
        return self.context.catalogue

    def record_type(self, record_type: str) -> RecordTypeEntry:
        """One entry of the catalogue."""
        entry = self.context.catalogue.entry(record_type)
        if entry is None:
            raise NotFound(
                f"no record type {record_type!r} in the catalogue of record types ({self.context.catalogue.version})"
            )
        return entry

    def measures(self) -> MeasureList:
        """The list of measures the schemes in operation were audited against."""
        return self.context.measures

    def action(self, action: str) -> ActionEntry:
        """One action on the list of measures."""
        entry = self.context.measures.entry(action)
        if entry is None:
            raise NotFound(f"no action {action!r} on the list of measures ({self.context.measures.version})")
        return entry

    def lists(self) -> list[dict[str, Any]]:
        """The lists a scheme in operation publishes."""
        return [
            {
                "scheme": s.label,
                "list_id": rule.id,
                "name": rule.name,
                "kind": rule.kind,
                "legal_basis": rule.legal_basis,
            }
            for s in self.context.schemes
            for rule in s.lists
            if rule.public
        ]

    def _public_rule(self, list_id: str) -> tuple[Scheme, ListRule]:
        for s in self.context.schemes:
            for rule in s.lists:
                if rule.id == list_id and rule.public:
                    return s, rule
        raise NotFound(f"no published list {list_id!r}")

    def list_rule(self, list_id: str) -> tuple[Scheme, ListRule]:
        """A published list's rule and the scheme in operation it belongs to; NotFound for any other list."""
        return self._public_rule(list_id)

    def authority_names(self) -> dict[str, str]:
        """Every registered authority's name, by code: who issues records and entries is public."""
        return {a.code: a.name for a in self.context.store.authorities()}

    def entries(
        self,
        list_id: str,
        *,
        region: str | None = None,
        authority: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Active entries of a published list, identity numbers masked, newest first; only those of subjects in
        ``region`` (a province, city or county code: by division-code prefix) and issued by ``authority`` (a
        code), when given. ``choices`` are the regions and authorities the list's active entries have, each
        with its name and count, for a filter to offer."""
        prefix, issuer = _region_filter(region), _authority_filter(authority)
        limit = page(limit)
        if offset < 0:
            raise InputError([Problem("must be 0 or more", "offset", str(offset))])
        scheme, rule = self._public_rule(list_id)
        names = self.authority_names()
        today = self.context.today()
        with self.context.read() as conn:
            state = read_state(conn, today, names)
        listed = self.listed.get(list_id, scheme, state, lambda: self._listed(scheme, rule, state, names))
        kept = [
            e
            for e in listed.entries
            if (prefix is None or (e["division"] or "").startswith(prefix))
            and (issuer is None or e["issued_by"] == issuer)
        ]
        return {
            "list_id": list_id,
            "region": region or None,
            "authority": issuer,
            "total": len(kept),
            "limit": limit,
            "offset": offset,
            "items": [dict(e) for e in kept[offset : offset + limit]],
            "choices": {kind: [dict(c) for c in found] for kind, found in listed.choices.items()},
        }

    def _listed(self, scheme: Scheme, rule: ListRule, state: State, names: dict[str, str]) -> Listed:
        """Every active entry of a published list, newest first, named, with the choices of its filter."""
        subjects = sorted({r.subject_id for r in self.context.store.effective(types={rule.entry.record_type})})
        entries = self._entries_of(scheme, rule.id, subjects)
        entries.sort(key=lambda e: (e["start"], e["subject"], e["key"] or ""), reverse=True)
        self._name_organizations(entries)
        for e in entries:
            e["issued_by_name"] = names.get(e["issued_by"])
        return Listed(scheme=scheme, state=state, entries=tuple(entries), choices=_choices(entries, names))

    def subject_entries(self, subject_id: str) -> list[dict[str, Any]]:
        """One subject's active entries on every published list, each as :meth:`entries` shows it (issuing
        authority named, an organization's name where the platform holds one), newest first."""
        subject_id = canonical(subject_id)
        found: list[dict[str, Any]] = []
        for s in self.context.schemes:
            for rule in s.lists:
                if rule.public:
                    found.extend(self._entries_of(s, rule.id, [subject_id]))
        found.sort(key=lambda e: (e["start"], e["list_id"], e["key"] or ""), reverse=True)
        names = self.authority_names()
        self._name_organizations(found)
        for e in found:
            e["issued_by_name"] = names.get(e["issued_by"])
        return found

    def _name_organizations(
        self, entries: list[dict[str, Any]], *, field: str = "name", types: set[str] | None = None
    ) -> None:
        """An organization's name where the platform holds one (registration is public), in ``field``, from its
        records of ``types`` (every type when None); never a person's."""
        organizations = {e["subject"] for e in entries if e["kind"] == "organization"}
        if not organizations:
            return
        records = self.context.store.effective(subject_ids=organizations, types=types)
        by_subject: dict[str, list[Record]] = {}
        for r in records:
            by_subject.setdefault(r.subject_id, []).append(r)
        for e in entries:
            if e["kind"] == "organization":
                e[field] = held_name(by_subject.get(e["subject"], []))

    def _entries_of(self, scheme: Scheme, list_id: str, subjects: Sequence[str]) -> list[dict[str, Any]]:
        if not subjects:
            return []
        overlay = self.evaluation.overlay(subjects)
        evaluator = self.evaluation.evaluators(subjects, schemes=[scheme], overlay=overlay)[scheme.scheme]
        today = self.context.today()
        out = []
        for subject_id in subjects:
            if not evaluator.covers(subject_id):
                continue
            for entry in evaluator.core(subject_id, today).entries:
                if entry.list_id != list_id or not entry.public or not entry.active_on(today):
                    continue
                first = entry.records[0]
                shown = published(subject_id, today)
                out.append(
                    {
                        "subject": shown.shown,
                        "sex": shown.sex,
                        "age": shown.age,
                        "kind": subject_kind(subject_id),
                        "division": parse_subject_id(subject_id).division,
                        "name": None,
                        "list_id": entry.list_id,
                        "key": entry.key,
                        "start": entry.start.isoformat(),
                        "end": entry.end.isoformat() if entry.end else None,
                        "issued_by": first.authority,
                        "legal_basis": entry.legal_basis,
                        "disputed": any(r.key in overlay.disputed for r in entry.records),
                    }
                )
        return out

    def publications(self) -> list[dict[str, Any]]:
        """The penalty and licensing notices the schemes in operation publish, and for how long."""
        return [
            {
                "scheme": s.label,
                "publication_id": p.id,
                "name": p.name,
                "kind": p.kind,
                "severity": p.severity,
                "published_for": str(p.period),
                "legal_basis": p.legal_basis,
            }
            for s in self.context.schemes
            for p in s.publications
        ]

    def notices(self, publication_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Notices published today, newest first, identity numbers masked; a record under an overdue objection
        or behind a granted repair is not shown, and each notice is taken down at the end of its period. Kept
        between requests like a list's entries, on the same state."""
        found = [(s, p) for s in self.context.schemes for p in s.publications if p.id == publication_id]
        if not found:
            raise NotFound(f"no publication {publication_id!r}")
        scheme, publication = found[0]
        names = self.authority_names()
        with self.context.read() as conn:
            state = read_state(conn, self.context.today(), names)
        key = f"notices/{publication_id}"  # no list id has a slash
        kept = self.listed.get(key, scheme, state, lambda: self._notices_of(scheme, publication, state, names))
        return {
            "publication_id": publication_id,
            "total": len(kept.entries),
            "limit": limit,
            "offset": offset,
            "items": [{**n, "fields": dict(n["fields"])} for n in kept.entries[offset : offset + page(limit)]],
        }

    def _notices_of(self, scheme: Scheme, publication: Publication, state: State, names: dict[str, str]) -> Listed:
        """Every notice of ``publication`` published on the state's day, newest first."""
        records = self.context.store.effective(types=set(publication.record_types))
        overlay = self.evaluation.overlay({r.subject_id for r in records})
        records = [r for r in records if r.key not in overlay.excluded]
        # A record goes to the first of its scheme's publications that takes it (a serious penalty is not
        # also a general one), so the whole scheme is applied and this publication's notices kept.
        published = published_notices(scheme, records, state.day)
        by_key = {r.key: r for r in records}
        items = [
            {
                "subject": mask_subject(n.subject_id),
                "kind": subject_kind(n.subject_id),
                "record_type": n.record.type,
                "fields": self._public_fields(by_key[n.record.key]),
                "happened": n.record.occurred_at.isoformat(),
                "published_until": n.until.isoformat(),
                "issued_by": n.record.authority,
                "issued_by_name": names.get(n.record.authority),
                "document": n.record.source_ref,
                "legal_basis": n.record.legal_basis or n.legal_basis,
                "disputed": n.record.key in overlay.disputed,
            }
            for n in published
            if n.publication_id == publication.id
        ]
        # The party of an organization's notice is its registered name (a person's notice names no one).
        self._name_organizations(items, field="party_name", types={REGISTERED})
        return Listed(scheme=scheme, state=state, entries=tuple(items), choices={})

    def _public_fields(self, record: Record) -> dict[str, Any]:
        """A notice's fields as its record carries them (decision number, fine...), leaving out what a notice
        may not show: another subject's identifier, and a person's name (a person is shown masked)."""
        entry = self.context.catalogue.entry(record.type)
        specs = entry.attributes if entry is not None else {}
        person = subject_kind(record.subject_id) == "person"
        return {
            name: value
            for name, value in record.attributes.items()
            if not (name in specs and specs[name].type is AttributeKind.SUBJECT)
            and not (person and name == NAME_ATTRIBUTE)
            and not (entry is None and name.endswith("_id"))
        }

    def lookup(self, party: Party, subject_id: str, *, name: str | None = None, client: str) -> dict[str, Any]:
        """Is this full identifier (with the person's name, where the platform holds one) on a published list?

        ``client`` is who the rate limit counts (an address, or a party). The answer is the same for a number
        with no entry and for a number given without the name the platform holds, or with another one."""
        self.lookups.take(client)
        subject_id = canonical(subject_id)
        found: list[dict[str, Any]] = []
        for s in self.context.schemes:
            for rule in s.lists:
                if rule.public:
                    found.extend(self._entries_of(s, rule.id, [subject_id]))
        if found:
            held = held_name(self.context.store.effective(subject_ids=[subject_id]))
            if held is not None and (name is None or not same_name(name, held)):
                found = []
        if found:
            self._count_lookup(party, subject_id)
        return {
            "subject": published(subject_id, self.context.today()).shown,
            "checked": "number and name" if name is not None else "number",
            "listed": bool(found),
            "entries": found,
        }

    def _count_lookup(self, party: Party, subject_id: str) -> None:
        """One more lookup of a listed subject today by this party; the first of the day is logged and audited."""
        t = public_lookups_table
        day, now = self.context.today(), self.context.now()
        key = (t.c.subject_id == subject_id, t.c.day == day, t.c.party == party.code)
        with self.context.write() as conn:
            counted = conn.execute(update(t).where(*key).values(count=t.c.count + 1, last_at=now)).rowcount
            if counted:
                return
            conn.execute(insert(t).values(subject_id=subject_id, day=day, party=party.code, count=1, last_at=now))
            self.guard.log(
                conn,
                party,
                "public.lookup",
                subject_id=subject_id,
                detail=f"found on a published list; lookups on {day.isoformat()} are counted",
            )


def _choices(entries: Sequence[dict[str, Any]], names: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The regions (province, city, county) and authorities of ``entries``, with names and counts."""
    regions: dict[str, int] = {}
    authorities: dict[str, int] = {}
    for e in entries:
        for code in regions_of(e["division"]):
            regions[code] = regions.get(code, 0) + 1
        authorities[e["issued_by"]] = authorities.get(e["issued_by"], 0) + 1
    return {
        "regions": [
            {"code": code, "name": division_name(code), "level": _level(code), "count": n}
            for code, n in sorted(regions.items())
        ],
        "authorities": [{"code": code, "name": names.get(code), "count": n} for code, n in sorted(authorities.items())],
    }


def _level(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"
