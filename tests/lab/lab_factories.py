"""Small scenarios for the lab's tests: a few hundred residents over two years, so that a run takes a second."""

from __future__ import annotations

from typing import Any

from socialcredit.lab.scenario import Scenario, parse_scenario, shipped_scenario_text


def small(residents: int = 300, years: int = 2, burn_in_years: int = 1, **changes: Any) -> Scenario:
    """The default scenario, smaller; ``changes`` replace whole sections or fields (``errors={...}``)."""
    base = parse_scenario(shipped_scenario_text())
    update: dict[str, Any] = {"years": years, "burn_in_years": burn_in_years}
    update["population"] = base.population.model_copy(update={"residents": residents})
    for name, value in changes.items():
        section = getattr(base, name)
        update[name] = section.model_copy(update=value) if isinstance(value, dict) else value
    return Scenario.model_validate({**base.model_dump(), **{k: _plain(v) for k, v in update.items()}})


def _plain(value: Any) -> Any:
    return value.model_dump() if hasattr(value, "model_dump") else value
