"""The policy lab's report in Chromium, opened from disk with every request off the machine refused: it loads
all its images, asks for nothing else and passes axe-core's WCAG 2.1 AA rules, a what-if report too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from socialcredit.lab.compare import compare
from socialcredit.lab.metrics import metrics
from socialcredit.lab.report import write_report
from socialcredit.lab.simulation import Simulation
from socialcredit.scheme.registry import load_scheme
from tests.lab.lab_factories import small
from tests.web.browser.conftest import assert_accessible, new_tab

REVISION = Path(__file__).parents[3] / "examples" / "lab" / "rongcheng-arrears-2y.yaml"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lab")
    scenario = small(400)
    run = Simulation(scenario, [load_scheme(n) for n in scenario.schemes]).run()
    a, b = load_scheme("rongcheng"), load_scheme(str(REVISION))
    ma, compared = compare(scenario, a, b)
    return {
        "run": write_report(folder / "run", metrics(run)),
        "what-if": write_report(folder / "what-if", ma, compared=compared),
    }


@pytest.mark.parametrize("which", ["run", "what-if"])
def test_the_lab_report_reads_offline_and_passes_axe(
    browser: Any, axe_source: str, reports: dict[str, Path], which: str
) -> None:
    page = new_tab(browser, "en")
    asked: list[str] = []

    def only_files(route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            asked.append(url)
            route.abort()

    page.route("**/*", only_files)
    try:
        page.goto(reports[which].as_uri())
        assert asked == []
        broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length")
        assert broken == 0
        assert page.evaluate("document.images.length") >= 3
        assert_accessible(page, axe_source)
    finally:
        page.context.close()
