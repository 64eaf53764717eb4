"""What every workflow of the service shares: the store, the settings, the schemes in operation with their rights
audits, the catalogue and list of measures they were audited against, the clock, the notice sender and the source
of references, and the day they count on.

An operation scheme whose audit finds an error is never put into operation: :func:`build_context` refuses it
(SchemeError naming every error, scheme and field). Each scheme is audited once, when it is put into operation,
and published with its audit (:mod:`socialcredit.service.public_views`). The schemes and their audits are one
immutable :class:`InOperation`, replaced whole when an operator puts a version into operation while the platform
runs (:meth:`Context.put_in_operation`); a reader that takes :attr:`Context.operation` once sees one consistent
pair, and the parts that keep something per scheme follow the switch (:meth:`Context.follow`).

A :class:`Context` is built once (:func:`build_context`) and handed to each part of the service; nothing in the
service reads the wall clock or draws a random reference on its own, so that a run given the same clock and a
:class:`SeededReferences` can be reproduced exactly. (Bearer tokens are the one exception: a credential must be
unpredictable, so :mod:`socialcredit.service.parties` draws them from the operating system.)
"""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Protocol

from sqlalchemy import Connection

from socialcredit.catalogue.loading import shipped_catalogue, shipped_measures
from socialcredit.catalogue.measures import MeasureList
from socialcredit.catalogue.model import Catalogue
from socialcredit.dates import CHINA_STANDARD_TIME, utc_now
from socialcredit.errors import InputError, NotFound, Problem, SchemeError
from socialcredit.ids import parse_subject_id
from socialcredit.scheme.loader import refuse_unless_operable
from socialcredit.scheme.model import Purpose, Scheme
from socialcredit.scheme.registry import load_scheme, shipped_names
from socialcredit.scheme.rights import Audit, audit_scheme
from socialcredit.service.notices import ConsoleSender, FileSender, Sender
from socialcredit.service.scheme_operations import latest_operated, with_operated
from socialcredit.settings import Settings
from socialcredit.store import Store

Clock = Callable[[], datetime]
"""The current instant; aware."""

MAX_BATCH = 10_000
"""Most records in one submission, and most queries in one decision request."""

MAX_PAGE = 1_000
"""Most items on one page of any listing."""


class References(Protocol):
    """Where the references of decisions and cases come from (``D-1A2B...``, ``OBJ-...``)."""

    def new(self, prefix: str, nbytes: int) -> str:
        """A fresh reference: ``prefix``, a dash, ``nbytes`` bytes in upper-case hex."""
        ...


class RandomReferences:
    """References from the operating system's randomness: unguessable, so a reference can be shown to the
    subject as the key to their explanation without inviting anyone to try others."""

    def new(self, prefix: str, nbytes: int) -> str:
        return f"{prefix}-{secrets.token_hex(nbytes).upper()}"


class SeededReferences:
    """References from a seeded generator, for runs that must be reproduced (tests, the lab)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def new(self, prefix: str, nbytes: int) -> str:
        with self._lock:
            value = self._random.getrandbits(8 * nbytes)
        return f"{prefix}-{value:0{2 * nbytes}X}"


@dataclass(frozen=True)
class InOperation:
    """The schemes in operation and the rights audit of each, by label (``name@version``): replaced together."""

    schemes: tuple[Scheme, ...]
    audits: Mapping[str, Audit]

    def scheme(self, name: str) -> Scheme | None:
        """The scheme in operation by this name, if any."""
        return next((s for s in self.schemes if s.scheme == name), None)

    def with_version(self, scheme: Scheme, audit: Audit) -> InOperation:
        """These schemes with ``scheme`` in place of the version of the same name (or added, for a new name)."""
        names = [s.scheme for s in self.schemes]
        schemes = list(self.schemes)
        if scheme.scheme in names:
            schemes[names.index(scheme.scheme)] = scheme
        else:
            schemes.append(scheme)
        audits = {s.label: audit if s.label == scheme.label else self.audits[s.label] for s in schemes}
        return InOperation(tuple(schemes), MappingProxyType(audits))


Follower = Callable[[InOperation, InOperation], None]
"""Called with the schemes in operation before and after a switch (the decision index, caches per scheme)."""


@dataclass
class Context:
    """The service's shared state and its time. Cheap to share between requests and threads; the sender may be
    swapped (an operator pointing the outbox elsewhere), and the schemes in operation with their audits when an
    operator puts a version into operation (:meth:`put_in_operation`); nothing else changes after start-up."""

    store: Store
    settings: Settings
    operation: InOperation
    """The schemes in operation and their rights audits, read together (take it once for a consistent pair)."""
    clock: Clock
    sender: Sender
    references: References
    catalogue: Catalogue
    """The catalogue of record types the schemes were audited against."""
    measures: MeasureList
    """The list of measures the schemes were audited against."""
    switching: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    """Held by whoever puts a version into operation, from checking what is in operation to the switch."""
    followers: list[Follower] = field(default_factory=list, repr=False, compare=False)

    @property
    def schemes(self) -> tuple[Scheme, ...]:
        """The schemes in operation."""
        return self.operation.schemes

    @property
    def audits(self) -> Mapping[str, Audit]:
        """The rights audit of each scheme in operation, by its label (``name@version``), made when the scheme was
        put into operation (at start-up, or by an operator since)."""
        return self.operation.audits

    def follow(self, follower: Follower) -> None:
        """Call ``follower`` after every switch of the schemes in operation."""
        self.followers.append(follower)

    def put_in_operation(self, scheme: Scheme, audit: Audit) -> InOperation:
        """Operate ``scheme`` (audited: ``audit``) in place of the version of the same name, or next to the others
        for a new name: one assignment, then every follower is told. Returns what was in operation before. The
        caller holds :attr:`switching` and has recorded the act."""
        before = self.operation
        after = before.with_version(scheme, audit)
        self.operation = after
        for follower in list(self.followers):
            follower(before, after)
        return before

    def now(self) -> datetime:
        """The current instant (UTC)."""
        return self.clock().astimezone(UTC)

    def today(self) -> date:
        """Today in China Standard Time: the day decisions and deadlines are counted on."""
        return self.now().astimezone(CHINA_STANDARD_TIME).date()

    def scheme(self, name: str) -> Scheme:
        """A scheme in operation by name."""
        for s in self.schemes:
            if s.scheme == name:
                return s
        raise NotFound(f"no scheme {name!r} in operation; in operation: {', '.join(self.scheme_names())}")

    def audit(self, name: str) -> Audit:
        """The rights audit of a scheme in operation, by name."""
        operation = self.operation
        found = operation.scheme(name)
        if found is None:
            return self.audits[self.scheme(name).label]  # NotFound, naming the schemes in operation
        return operation.audits[found.label]

    def scheme_names(self) -> list[str]:
        """Names of the schemes in operation."""
        return [s.scheme for s in self.schemes]

    def actions(self) -> frozenset[str]:
        """Every action a measure of a scheme in operation names."""
        return frozenset().union(*(s.actions() for s in self.schemes))

    def objection_days(self, scheme: Scheme) -> int:
        """Days within which an objection under ``scheme`` is decided."""
        return self.settings.objection_days.get(scheme.scheme, scheme.objection_route.decided_within_days)

    def repair_working_days(self, scheme: Scheme) -> int:
        """Working days within which a repair application under ``scheme`` is decided."""
        return self.settings.repair_working_days_per_scheme.get(scheme.scheme, self.settings.repair_working_days)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction over one snapshot."""
        with self.store.read_snapshot() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed when the block ends."""
        with self.store.write_transaction() as conn:
            yield conn


def build_context(
    store: Store,
    settings: Settings | None = None,
    *,
    schemes: Sequence[Scheme] | None = None,
    clock: Clock = utc_now,
    sender: Sender | None = None,
    references: References | None = None,
    catalogue: Catalogue | None = None,
    measures: MeasureList | None = None,
) -> Context:
    """The context of a platform: unless ``schemes`` are given, the shipped schemes meant for operation, each
    replaced by the latest version an operator put into operation as the store records it (and a scheme name an
    operator added, added); a ``lab`` scheme is left out. Notices go to the settings' file
    (``<data_dir>/notices.jsonl`` unless set), or standard error. Each scheme is audited against ``catalogue``
    and ``measures`` (the shipped ones unless given); one whose audit finds an error is refused: SchemeError with
    every error of every such scheme (a recorded version named by its row in the store)."""
    settings = settings or Settings()
    sources: dict[str, str] = {}
    if schemes is None:
        recorded = latest_operated(store)
        schemes = with_operated([load_scheme(name) for name in shipped_names()], recorded)
        sources = {op.scheme.label: op.source for op in recorded}
    catalogue = catalogue or shipped_catalogue()
    measures = measures or shipped_measures()
    operated = tuple(s for s in schemes if s.purpose is Purpose.OPERATION)
    audits = operable(operated, catalogue, measures, sources=sources)
    if sender is None:
        path = settings.notices_path()
        sender = FileSender(path) if path is not None else ConsoleSender()
    return Context(
        store=store,
        settings=settings,
        operation=InOperation(operated, MappingProxyType(audits)),
        clock=clock,
        sender=sender,
        references=references or RandomReferences(),
        catalogue=catalogue,
        measures=measures,
    )


def operable(
    schemes: Sequence[Scheme],
    catalogue: Catalogue,
    measures: MeasureList,
    *,
    sources: Mapping[str, str] | None = None,
) -> dict[str, Audit]:
    """The audit of each scheme, by label; SchemeError naming every error of every scheme that may not operate
    (each named by its ``sources`` entry where it has one, else by its label)."""
    sources = sources or {}
    audits: dict[str, Audit] = {}
    problems: list[Problem] = []
    names: dict[str, str] = {}
    for scheme in schemes:
        if scheme.scheme in names:
            # Decisions, cases and the published pages find a scheme by its name: two in operation would be ambiguous.
            reason = f"{scheme.label} and {names[scheme.scheme]} are both given for operation: one version at a time"
            problems.append(Problem(reason, "scheme", scheme.scheme, file=f"scheme {scheme.label}"))
        names[scheme.scheme] = scheme.label
        audit = audit_scheme(scheme, catalogue, measures)
        try:
            refuse_unless_operable(audit, sources.get(scheme.label, f"scheme {scheme.label}"))
        except SchemeError as exc:
            problems.extend(exc.problems)
        audits[scheme.label] = audit
    if problems:
        raise SchemeError(problems)
    return audits


def canonical(subject_id: str, field: str = "subject_id", row: int | None = None) -> str:
    """The canonical form of a subject id; InputError names the field (and row)."""
    try:
        return parse_subject_id(subject_id, field=field).value
    except InputError as exc:
        if row is None:
            raise
        raise InputError([Problem(p.reason, p.field, p.value, row=row) for p in exc.problems]) from None


def page(limit: int) -> int:
    """A page size, checked: 1 to :data:`MAX_PAGE`."""
    if limit < 1 or limit > MAX_PAGE:
        raise InputError([Problem(f"a page holds 1 to {MAX_PAGE} items", "limit", str(limit))])
    return limit
