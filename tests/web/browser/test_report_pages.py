"""The credit report pages in Chromium, in both languages: the verification form, what was issued, a file that
matches and one that does not, an unknown reference and a mistyped one pass axe-core's WCAG 2.1 AA rules; a
report is verified with the keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser.conftest import LOCALES, Demo, assert_accessible, new_tab, sign_in, tab_to


def own_report(page: Any, demo: Demo) -> tuple[str, str]:
    """The signed-in subject's own report: its reference and SHA-256."""
    response = page.request.get(demo.url("/me/report.pdf"))
    assert response.status == 200, response.text()
    assert response.headers["content-type"] == "application/pdf"
    return response.headers["x-report-reference"], response.headers["x-report-sha256"]


@pytest.mark.parametrize("language", list(LOCALES))
def test_the_report_pages_pass_axe(browser: Any, demo: Demo, axe_source: str, language: str) -> None:
    page = new_tab(browser, language)
    try:
        sign_in(page, demo, demo.tokens["SUBJECT"])
        reference, digest = own_report(page, demo)
        for path in (
            "/verify",
            f"/verify/{reference}",
            f"/verify/{reference}?sha256={digest}",
            f"/verify/{reference}?sha256={'0' * 64}",
            "/verify/CR-0123456789AB",
            "/verify?reference=nonsense",
        ):
            page.goto(demo.url(path))
            assert_accessible(page, axe_source)
    finally:
        page.context.close()


@pytest.mark.parametrize("language", list(LOCALES))
def test_a_report_is_verified_with_the_keyboard(browser: Any, demo: Demo, language: str) -> None:
    page = new_tab(browser, language)
    try:
        sign_in(page, demo, demo.tokens["SUBJECT"])
        reference, digest = own_report(page, demo)
        page.goto(demo.url("/verify"))
        tab_to(page, "#reference")
        page.keyboard.type(reference)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith(f"/verify/{reference}")
        assert digest in page.content()
    finally:
        page.context.close()
