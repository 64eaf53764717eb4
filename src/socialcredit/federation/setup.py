"""Building the platform's federation from its settings, once at start-up."""

from __future__ import annotations

import logging

from socialcredit.federation.config import load_federation_file
from socialcredit.federation.service import Federation, Puller, PullOutcome
from socialcredit.service.due_process import DueProcess
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings


def federation_of(platform: Platform, due: DueProcess | None = None) -> Federation | None:
    """The federation the settings' document describes (``federation_file``, else ``DATA_DIR/federation.yaml``;
    FederationConfigError when it does not load), or None when the platform stands alone."""
    path = platform.settings.federation_path()
    if path is None:
        return None
    catalogue = platform.context.catalogue
    config = load_federation_file(path, catalogue)
    return Federation(
        platform.store,
        config,
        catalogue,
        lambda party, action, why: platform.log_refusal(party, action, why),
        due,
    )


def start_puller(federation: Federation | None, settings: Settings) -> Puller | None:
    """Start pulling every peer every ``settings.federation_pull_seconds`` (none when 0 or not federated)."""
    if federation is None or settings.federation_pull_seconds <= 0:
        return None
    log = logging.getLogger("socialcredit.federation")

    def report(outcomes: list[PullOutcome]) -> None:
        for outcome in outcomes:
            if outcome.ok:
                log.info("pulled %s/%s: %s", outcome.peer, outcome.channel, outcome.detail)
            elif outcome.detail.get("quarantined"):
                log.debug("not pulling %s/%s: quarantined", outcome.peer, outcome.channel)
            else:
                log.warning("could not pull %s/%s: %s", outcome.peer, outcome.channel, outcome.detail["error"])

    puller = Puller(federation, settings.federation_pull_seconds, on_round=report)
    puller.start()
    return puller
