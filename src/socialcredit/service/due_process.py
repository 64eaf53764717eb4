"""Due process: objections, corrections, credit repair, tracking and the transparency figures.

- **Objection.** A subject objects to a record, a list entry or a score under a scheme. The item is marked
  disputed at once (its file and every explanation say so). A reviewer decides within the scheme's
  ``objection.decided_within_days`` (calendar days from filing; ``Settings.objection_days`` overrides per
  scheme). An objection still open after its deadline *suspends* the item: decisions, publication and the
  public lookup leave its records out (a score objection: the grade's measures) until a reviewer decides.
- **Correction.** An upheld objection to a record or a list entry corrects it by a new record version that
  ``supersedes`` the one objected to (revoking it, or with corrected attributes), in the issuing authority's
  name and citing the objection, and only ever in the subject's favour (a correction that would make anything
  worse for anyone is refused). Every party that received a decision relying on the old version is notified
  (a notice in its outbox, naming the decision references to ask again), and so is the subject.
- **Credit repair.** A subject applies for an active entry of a list once its repair conditions are met: the
  list's minimum publication period (``Settings.repair_min_days``, per list id) has passed, the obligation is
  declared performed, and a public credit commitment is made. A reviewer decides within
  ``Settings.repair_working_days`` working days (10 by default, as Credit China answers). A granted repair
  ends the entry by an exit record of the list (in the issuing authority's name, citing the application) and
  its publication; an entry of a list with no exit record is taken out of use by the granted case.
- **Tracking.** Every case has a reference number, its deadline, its status (open, suspended or overdue once
  late, upheld, rejected, granted, refused) and its history, visible to the subject at every step.
- **Transparency.** Per list and period: entries made, objections filed and upheld, corrections, repairs
  applied and granted, median days to decide.

The parts: filing (:mod:`.case_filing`), deciding (:mod:`.case_decisions`), tracking (:mod:`.case_views`) and
the figures (:mod:`.transparency`); :class:`DueProcess` puts them together over a platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from socialcredit.records import Scalar
from socialcredit.service.case_decisions import CaseDecisions
from socialcredit.service.case_evidence import CaseEvidence
from socialcredit.service.case_filing import Filing
from socialcredit.service.case_views import CaseViews
from socialcredit.service.parties import Party
from socialcredit.service.platform import Platform
from socialcredit.service.transparency import Transparency


class DueProcess:
    """Objections, corrections and repair over a :class:`~socialcredit.service.platform.Platform`."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        context, guard, evaluation = platform.context, platform.guard, platform.evaluation
        self.filing = Filing(context, guard, evaluation, platform.dispatch_quietly)
        self.decisions = CaseDecisions(context, guard, evaluation, platform.dispatch_quietly)
        self.views = CaseViews(context, guard)
        self.evidence_of = CaseEvidence(context, guard, evaluation)
        self.transparency = Transparency(context)

    def object(self, party: Party, *, scheme: str, target: dict[str, Any], statement: str) -> dict[str, Any]:
        """A subject objects to one of its records, list entries or its score under ``scheme``."""
        return self.filing.object(party, scheme=scheme, target=target, statement=statement)

    def apply_for_repair(
        self,
        party: Party,
        *,
        scheme: str,
        list_id: str,
        key: str | None,
        obligation_performed: bool,
        commitment: str,
        statement: str = "",
    ) -> dict[str, Any]:
        """A subject applies for credit repair of an active list entry once its conditions are met."""
        return self.filing.apply_for_repair(
            party,
            scheme=scheme,
            list_id=list_id,
            key=key,
            obligation_performed=obligation_performed,
            commitment=commitment,
            statement=statement,
        )

    def case(self, party: Party, reference: str) -> dict[str, Any]:
        """One case with its history: for its subject and reviewers."""
        return self.views.case(party, reference)

    def cases(
        self, party: Party, *, status: str | None = None, kind: str | None = None, limit: int = 100, offset: int = 0
    ) -> dict[str, Any]:
        """A subject's own cases, or (reviewer) every case; filter by stored status and kind."""
        return self.views.cases(party, status=status, kind=kind, limit=limit, offset=offset)

    def decide(
        self,
        party: Party,
        reference: str,
        *,
        outcome: str,
        reasons: str,
        corrected_attributes: Mapping[str, Scalar] | None = None,
    ) -> dict[str, Any]:
        """A reviewer decides a case, with reasons; returns the case as decided."""
        self.decisions.decide(
            party, reference, outcome=outcome, reasons=reasons, corrected_attributes=corrected_attributes
        )
        return self.views.case(party, reference)

    def evidence(self, party: Party, reference: str) -> dict[str, Any]:
        """Every version of each record a case rests on (reviewers; its subject); logged as a read."""
        return self.evidence_of.evidence(party, reference)

    def authority_names(self) -> dict[str, str]:
        """Every registered authority's name by its code (public)."""
        return self.evidence_of.authority_names()

    def figures(self, period: str) -> dict[str, Any]:
        """Published counts per list for a year (``2026``) or a month (``2026-06``)."""
        return self.transparency.figures(period)
