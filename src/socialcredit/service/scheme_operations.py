"""Scheme versions put into operation while the platform runs, as the store records them (``scheme_operations``):
the act's row, written in the act's transaction, and the latest version of each scheme name, which the platform
operates at its next start unless the command line names the schemes.

A recorded document is loaded again at start-up and audited afresh against the platform's catalogue and list of
measures: one that no longer passes (the catalogue changed under it) is refused loudly, naming the row, rather
than silently replaced by the shipped version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from socialcredit.errors import Problem, SchemeError
from socialcredit.scheme.loader import parse_scheme
from socialcredit.scheme.model import Purpose, Scheme
from socialcredit.store import Store
from socialcredit.tables.service import scheme_operations_table


@dataclass(frozen=True)
class Operated:
    """One scheme version put into operation by an operator."""

    id: int
    scheme: Scheme
    sha256: str
    replaced: str | None
    operated_at: datetime
    party: str

    @property
    def source(self) -> str:
        """How errors name it: the store's row and the document's digest."""
        return f"scheme_operations row {self.id} ({self.scheme.label}, sha256 {self.sha256[:12]})"

    def as_dict(self) -> dict[str, object]:
        """Plain data for the operator's pages."""
        return {
            "label": self.scheme.label,
            "sha256": self.sha256,
            "replaced": self.replaced,
            "operated_at": self.operated_at.isoformat(),
            "party": self.party,
        }


def record_operation(
    conn: Connection, scheme: Scheme, *, sha256: str, document: str, replaced: str | None, at: datetime, party: str
) -> None:
    """The act's row, in the caller's transaction."""
    conn.execute(
        insert(scheme_operations_table).values(
            name=scheme.scheme,
            version=scheme.version,
            sha256=sha256,
            document=document,
            replaced=replaced,
            operated_at=at,
            party=party,
        )
    )


def latest_operated(store: Store) -> list[Operated]:
    """The latest version put into operation of each scheme name, in the order the names were first operated;
    none in a store not (yet) at the latest migration, where nothing can have been put into operation. A
    document that no longer loads, or is not meant for operation, raises SchemeError naming its row."""
    if not store.is_initialised():
        return []
    t = scheme_operations_table
    latest = select(func.max(t.c.id)).group_by(t.c.name).scalar_subquery()
    with store.read_snapshot() as conn:
        rows = conn.execute(select(t).where(t.c.id.in_(latest)).order_by(t.c.id)).all()
    out: list[Operated] = []
    problems: list[Problem] = []
    for row in rows:
        source = f"scheme_operations row {row.id} ({row.name}@{row.version}, sha256 {row.sha256[:12]})"
        try:
            scheme, _ = parse_scheme(row.document, source)
        except SchemeError as exc:
            problems.extend(exc.problems)
            continue
        if scheme.purpose is not Purpose.OPERATION:
            problems.append(Problem(f"{scheme.label} is a {scheme.purpose} scheme", "purpose", file=source))
            continue
        out.append(Operated(row.id, scheme, row.sha256, row.replaced, row.operated_at, row.party))
    if problems:
        raise SchemeError(problems)
    return out


def history(store: Store, name: str | None = None, *, limit: int = 20) -> list[Operated]:
    """The versions put into operation (of scheme ``name``, or of every scheme), newest first."""
    t = scheme_operations_table
    query = select(t).order_by(t.c.id.desc()).limit(limit)
    if name is not None:
        query = query.where(t.c.name == name)
    with store.read_snapshot() as conn:
        rows = conn.execute(query).all()
    out = []
    for row in rows:
        scheme, _ = parse_scheme(row.document, f"scheme_operations row {row.id}")
        out.append(Operated(row.id, scheme, row.sha256, row.replaced, row.operated_at, row.party))
    return out


def with_operated(shipped: list[Scheme], operated: list[Operated]) -> list[Scheme]:
    """The shipped schemes with each operated version in place of the one of its name (a new name added)."""
    out = list(shipped)
    for op in operated:
        names = [s.scheme for s in out]
        if op.scheme.scheme in names:
            out[names.index(op.scheme.scheme)] = op.scheme
        else:
            out.append(op.scheme)
    return out
