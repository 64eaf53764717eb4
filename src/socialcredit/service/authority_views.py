"""What an authority's clerk sees of its own work: the authority (jurisdiction, competences), the record types and
lists it may issue, the batches it submitted, and the objections and repair applications about its records.

An authority sees only its own: every view here is of the asking party's authority, never of one named in the
request. Subjects appear with their identifiers masked as the published lists show them: a clerk's page is no
place for full identity numbers, and the clerk holds them in its own files anyway.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from socialcredit.authorities import Authority
from socialcredit.catalogue.model import AttributeSpec, RecordTypeEntry
from socialcredit.errors import NotFound
from socialcredit.scheme.model import ListRule, Scheme
from socialcredit.service.access import Guard
from socialcredit.service.context import Context, page
from socialcredit.service.documents import case_dict
from socialcredit.service.parties import Party, Role
from socialcredit.service.public_views import mask_subject
from socialcredit.tables.records import batches_table
from socialcredit.tables.service import cases_table

CASE_SCAN = 5_000
"""Most recent cases looked through for an authority's: a case names its basis records in a JSON column, which
no index reaches on both stores, so the newest ones are scanned (enough for a clerk's page)."""


def attribute_dict(name: str, spec: AttributeSpec) -> dict[str, Any]:
    """An attribute of a record type as a form needs it."""
    return {
        "name": name,
        "type": str(spec.type),
        "required": spec.required,
        "min": spec.min,
        "max": spec.max,
        "choices": list(spec.in_) if spec.in_ else None,
        "max_length": spec.max_length,
        "description": spec.description,
    }


def record_type_dict(entry: RecordTypeEntry) -> dict[str, Any]:
    """A catalogue entry as the clerk's pages show it."""
    return {
        "type": entry.type,
        "title": entry.title,
        "title_zh": entry.title_zh,
        "category": entry.category,
        "adverse": entry.adverse,
        "legal_basis": entry.legal_basis,
        "attributes": [attribute_dict(n, s) for n, s in entry.attributes.items()],
    }


class AuthorityViews:
    """An authority's own views."""

    def __init__(self, context: Context, guard: Guard) -> None:
        self.context = context
        self.guard = guard

    def authority(self, party: Party) -> Authority:
        """The asking party's authority (authority clerks only)."""
        self.guard.require(party, "authority.read", Role.AUTHORITY)
        assert party.authority is not None
        return self.context.store.get_authority(party.authority)

    def may_issue(self, authority: Authority, record_type: str) -> bool:
        """Whether the authority's competences cover ``record_type`` (as ingestion decides it)."""
        entry = self.context.catalogue.entry(record_type)
        return entry is not None and authority.may_issue(record_type, entry.issued_by)

    def profile(self, party: Party) -> dict[str, Any]:
        """The authority, and the catalogue's record types its competences cover."""
        authority = self.authority(party)
        return {
            "code": authority.code,
            "name": authority.name,
            "jurisdiction": authority.jurisdiction,
            "competences": list(authority.competences),
            "catalogue_version": self.context.catalogue.version,
            "record_types": [
                record_type_dict(e)
                for e in self.context.catalogue.record_types
                if authority.may_issue(e.type, e.issued_by)
            ],
        }

    def lists(self, party: Party) -> list[dict[str, Any]]:
        """The lists of the schemes in operation whose entry record type the authority may issue, each with the
        record type that opens an entry (its attributes) and the exits it may record."""
        authority = self.authority(party)
        out = []
        for scheme in self.context.schemes:
            for rule in scheme.lists:
                if self.may_issue(authority, rule.entry.record_type):
                    out.append(self._list_dict(authority, scheme, rule))
        return out

    def list_rule(self, party: Party, list_id: str) -> dict[str, Any]:
        """One list the authority may issue entries on; NotFound (logged) for any other."""
        for item in self.lists(party):
            if item["list_id"] == list_id:
                return item
        self.guard.log_refusal(party, "authority.list", f"list {list_id[:80]!r}: not one this authority issues")
        raise NotFound(f"no list {list_id!r} this authority may issue entries on")

    def _list_dict(self, authority: Authority, scheme: Scheme, rule: ListRule) -> dict[str, Any]:
        catalogue = self.context.catalogue
        entry = catalogue.entry(rule.entry.record_type)
        assert entry is not None
        exits = [
            record_type_dict(e)
            for x in rule.exits
            if (e := catalogue.entry(x.record_type)) is not None and authority.may_issue(e.type, e.issued_by)
        ]
        return {
            "scheme": scheme.scheme,
            "scheme_label": scheme.label,
            "list_id": rule.id,
            "name": rule.name,
            "kind": rule.kind,
            "public": rule.public,
            "legal_basis": rule.legal_basis,
            "remedy": rule.remedy.strip(),
            "key": rule.entry.key,
            "subject_kinds": [str(k) for k in rule.subject_kinds],
            "entry": record_type_dict(entry),
            "exits": exits,
        }

    def batches(self, party: Party, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """The authority's batches, newest first: when, source, the file's SHA-256, records inserted."""
        authority = self.authority(party)
        t = batches_table
        with self.context.read() as conn:
            total = conn.execute(select(func.count()).select_from(t).where(t.c.authority == authority.code)).scalar()
            rows = conn.execute(
                select(t)
                .where(t.c.authority == authority.code)
                .order_by(t.c.id.desc())
                .limit(page(limit))
                .offset(max(offset, 0))
            ).all()
        return {
            "total": int(total or 0),
            "items": [
                {
                    "batch_id": r.id,
                    "source": r.source,
                    "file_sha256": r.file_sha256,
                    "inserted": r.record_count,
                    "recorded_at": r.recorded_at.isoformat(),
                }
                for r in rows
            ],
        }

    def cases(self, party: Party, *, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """Objections and repair applications that rest on the authority's records, newest first, with status and
        deadline; subjects masked, and without the subject's statement (it is the reviewer's to read)."""
        authority = self.authority(party)
        t = cases_table
        with self.context.read() as conn:
            rows = conn.execute(select(t).order_by(t.c.id.desc()).limit(CASE_SCAN)).all()
        today = self.context.today()
        mine = [r for r in rows if _rests_on(r, authority.code)]
        items = []
        for row in mine[max(offset, 0) : max(offset, 0) + page(limit)]:
            case = case_dict(row, today)
            items.append(
                {
                    "reference": case["reference"],
                    "kind": case["kind"],
                    "subject": mask_subject(case["subject_id"]),
                    "scheme": case["scheme"],
                    "target_kind": case["target_kind"],
                    "target": _shown_target(case["target"]),
                    "records": [rid for code, rid in row.basis if code == authority.code],
                    "filed_at": case["filed_at"],
                    "deadline": case["deadline"],
                    "status": case["status"],
                    "decided_at": case["decided_at"],
                    "reasons": case["reasons"],
                }
            )
        return {"total": len(mine), "items": items}


def _rests_on(row: Any, code: str) -> bool:
    if any(pair and pair[0] == code for pair in row.basis or []):
        return True
    target = row.target or {}
    return row.target_kind == "record" and target.get("authority") == code


def _shown_target(target: dict[str, Any]) -> dict[str, Any]:
    """A case's target without any full identifier in it."""
    return {k: v for k, v in (target or {}).items() if k not in ("subject_id",)}
