"""The platform as its parties use it: one object over the service's parts, every rule about who may do what
enforced by them, not in the routes.

One :class:`Platform` wraps a store, the settings, the schemes in operation, a clock, a notice sender and a
source of references (:mod:`socialcredit.service.context`). Each public method takes the asking
:class:`~socialcredit.service.parties.Party` first and either does the work or logs the refusal and raises
:class:`~socialcredit.service.parties.PermissionDenied`.

What each role may do:

============  =================================================================================================
authority     submit records (types within its competences, subjects within its jurisdiction: ingest checks)
provider      ask for decisions on the actions it is bound to; learns decision, reason codes, a reference
subject       read its own file, explanations of decisions about it, its access log, notices and cases;
              object; apply for repair
reviewer      read files and explanations of subjects with a case (logged); list and decide cases
operator      read the refusal log; dispatch the outbox; put an audited scheme version into operation
public        published list entries (identity numbers masked), "is this full number listed?", figures
============  =================================================================================================

The parts, each in a module of its own: access and refusals (:mod:`.access`), evaluation with what due process
takes out of use (:mod:`.evaluation`), submissions and their notices (:mod:`.submissions`,
:mod:`.announcing`), decisions (:mod:`.deciding`, through :mod:`.live_index`), the subject's views
(:mod:`.subject_views`), the public's (:mod:`.public_views`) and the operator's (:mod:`.operator_views`). Due
process is :mod:`socialcredit.service.due_process`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from socialcredit.dates import utc_now
from socialcredit.errors import NotFound
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme
from socialcredit.service.access import Guard
from socialcredit.service.authority_views import AuthorityViews
from socialcredit.service.context import Clock, Context, References, build_context
from socialcredit.service.deciding import Decider, Query
from socialcredit.service.evaluation import Evaluation
from socialcredit.service.live_index import LiveIndex
from socialcredit.service.notices import Sender
from socialcredit.service.operator_state import OperatorState
from socialcredit.service.operator_views import OperatorViews
from socialcredit.service.parties import Party
from socialcredit.service.provider_views import ProviderViews
from socialcredit.service.public_views import PublicViews
from socialcredit.service.registry_views import RegistryViews
from socialcredit.service.reports import Reports
from socialcredit.service.subject_views import SubjectViews
from socialcredit.service.submissions import Submissions
from socialcredit.service.uploads import Uploads
from socialcredit.settings import Settings
from socialcredit.store import Store


class Platform:
    """The service layer. Cheap to share between requests; every method opens its own transactions."""

    def __init__(
        self,
        store: Store,
        settings: Settings | None = None,
        *,
        schemes: Sequence[Scheme] | None = None,
        clock: Clock = utc_now,
        sender: Sender | None = None,
        references: References | None = None,
    ) -> None:
        context = build_context(store, settings, schemes=schemes, clock=clock, sender=sender, references=references)
        self.context: Context = context
        self.guard = Guard(context)
        self.evaluation = Evaluation(context)
        self.live: LiveIndex | None = None
        if context.settings.decision_index:
            self.live = LiveIndex(
                context,
                self.evaluation,
                context.schemes,
                merge_after=context.settings.index_merge_after,
                merge_in_background=context.settings.index_merge_in_background,
            )
            live = self.live
            context.follow(lambda _before, after: live.switch(after.schemes))
        self.submissions = Submissions(context, self.guard, self.evaluation)
        self.decider = Decider(context, self.guard, self.evaluation, self.live)
        self.subjects = SubjectViews(context, self.guard, self.evaluation)
        self.public = PublicViews(context, self.guard, self.evaluation)
        self.registry = RegistryViews(context, self.guard, self.evaluation, self.public)
        self.operator = OperatorViews(context, self.guard)
        # An organization's public report is built from its public page (the registry's view), looked up when asked.
        self.reports = Reports(context, self.guard, self.subjects, organizations=self.organization_view)
        self.authority_views = AuthorityViews(context, self.guard)
        self.uploads = Uploads(context, self.guard, self.submissions)
        self.operator_state = OperatorState(context, self.guard, self.evaluation)
        self.provider_views = ProviderViews(context, self.guard)

    # -- what the parts share ----------------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The store."""
        return self.context.store

    @property
    def settings(self) -> Settings:
        """The settings the platform was built with."""
        return self.context.settings

    @property
    def schemes(self) -> tuple[Scheme, ...]:
        """The schemes in operation."""
        return self.context.schemes

    @property
    def sender(self) -> Sender:
        """Who delivers the outbox."""
        return self.context.sender

    @sender.setter
    def sender(self, sender: Sender) -> None:
        self.context.sender = sender

    def now(self) -> datetime:
        """The current instant (UTC)."""
        return self.context.now()

    def today(self) -> date:
        """Today in China Standard Time: the day decisions and deadlines are counted on."""
        return self.context.today()

    def scheme(self, name: str) -> Scheme:
        """A scheme in operation by name."""
        return self.context.scheme(name)

    def scheme_names(self) -> list[str]:
        """Names of the schemes in operation."""
        return self.context.scheme_names()

    def objection_days(self, scheme: Scheme) -> int:
        """Days within which an objection under ``scheme`` is decided."""
        return self.context.objection_days(scheme)

    def repair_working_days(self, scheme: Scheme) -> int:
        """Working days within which a repair application under ``scheme`` is decided."""
        return self.context.repair_working_days(scheme)

    def log_refusal(self, party: Party, action: str, detail: str, *, subject_id: str | None = None) -> None:
        """Log a refused request in its own transaction."""
        self.guard.log_refusal(party, action, detail, subject_id=subject_id)

    def organization_view(self, code: str) -> dict[str, Any]:
        """What is public about an organization, for its credit report (the registry's view)."""
        registry = getattr(self, "registry", None)  # the registry's view is built by another part of the service
        if registry is None:
            raise NotFound(f"no organization {code!r}: the registry's view is not available")
        return dict(registry.organization(code))

    # -- the parties' operations -------------------------------------------------------------------------------

    def submit_records(self, party: Party, records: Sequence[Record], *, source: str) -> dict[str, Any]:
        """An authority's batch: all or nothing, idempotent by record id, the same row errors as a file."""
        out = self.submissions.submit(party, records, source=source)
        self.dispatch_quietly()
        return out

    def decide(self, party: Party, queries: Sequence[Query]) -> list[dict[str, Any]]:
        """Answer up to 10,000 queries: decision, reason codes and a reference per query, nothing more."""
        return self.decider.decide(party, queries)

    def explanation(self, party: Party, reference: str) -> dict[str, Any]:
        """The full explanation behind a decision reference: for the subject (and reviewers) only."""
        return self.subjects.explanation(party, reference)

    def subject_file(self, party: Party, subject_id: str, *, download: bool = False) -> dict[str, Any]:
        """Everything the platform holds and concludes about a subject, explained; logged as a read."""
        return self.subjects.file(party, subject_id, download=download)

    def access_log(self, party: Party, subject_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Who looked at the subject's file or received a decision about them in the last 24 months."""
        return self.subjects.access_log(party, subject_id, limit=limit, offset=offset)

    def notices(self, party: Party, subject_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Notices to the subject, newest first."""
        return self.subjects.notices(party, subject_id, limit=limit, offset=offset)

    def party_notices(self, party: Party, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Notices addressed to the asking party."""
        return self.subjects.party_notices(party, limit=limit, offset=offset)

    def public_lists(self) -> list[dict[str, Any]]:
        """The lists a scheme in operation publishes."""
        return self.public.lists()

    def public_entries(
        self,
        list_id: str,
        *,
        region: str | None = None,
        authority: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Active entries of a published list, identity numbers masked, newest first; filtered by region (a
        division code) and issuing authority when given, with the choices the list offers."""
        return self.public.entries(list_id, region=region, authority=authority, limit=limit, offset=offset)

    def public_publications(self) -> list[dict[str, Any]]:
        """The penalty and licensing notices the schemes in operation publish, and for how long."""
        return self.public.publications()

    def public_notices(self, publication_id: str, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Notices published today, newest first, identity numbers masked; an organization's with its registered
        name (the party of a notice, as 双公示 shows it)."""
        return self.public.notices(publication_id, limit=limit, offset=offset)

    def public_lookup(
        self, party: Party, subject_id: str, *, name: str | None = None, client: str | None = None
    ) -> dict[str, Any]:
        """Is this full identifier (with the name, where the platform holds one) on a published list? Rate-limited
        per ``client`` (default: the party)."""
        return self.public.lookup(party, subject_id, name=name, client=client or f"party:{party.code}")

    def refusals(self, party: Party, *, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """Refused requests, newest first (operator only)."""
        return self.operator.refusals(party, limit=limit, offset=offset)

    def dispatch_notices(self, party: Party) -> dict[str, Any]:
        """Send what is in the outbox (operator only)."""
        return self.operator.dispatch_notices(party)

    def put_into_operation(self, party: Party, digest: str, *, replaces: str | None = None) -> dict[str, Any]:
        """Operate the kept proposal ``digest`` from now on (operator only; see
        :meth:`~socialcredit.service.operator_state.OperatorState.put_into_operation`), then send the notices it
        owes to the subjects whose results get worse."""
        out = self.operator_state.put_into_operation(party, digest, replaces=replaces)
        self.dispatch_quietly()
        return out

    def dispatch_quietly(self) -> None:
        """Send the outbox after a change; a failure leaves notices for the next round."""
        self.operator.dispatch_quietly()


__all__ = ["Platform", "Query"]
