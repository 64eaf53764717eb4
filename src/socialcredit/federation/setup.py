"""Building the platform's federation from its settings, once at start-up."""

from __future__ import annotations

from socialcredit.federation.config import load_federation_file
from socialcredit.federation.service import Federation
from socialcredit.service.platform import Platform


def federation_of(platform: Platform) -> Federation | None:
    """The federation the settings' document describes (FederationConfigError when it does not load), or None
    when the platform stands alone."""
    path = platform.settings.federation_file
    if path is None:
        return None
    catalogue = platform.context.catalogue
    config = load_federation_file(path, catalogue)
    return Federation(
        platform.store,
        config,
        catalogue,
        lambda party, action, why: platform.log_refusal(party, action, why),
    )
