"""Every portal page each role reaches passes axe-core's WCAG 2.1 AA rules in Chromium, in both languages, and is
one well-formed document: a title, one h1, the page's language on <html>, and the language switch.

Detail pages are reached by following a real link from the page that lists them (a notice, an organization, a
decision), so the table names what a reader does, not addresses only a test knows. Pages with a form
error and the refusal pages are in the table too. The pages only a story reaches (an upload's validation report and
its receipt, an objection's case, the reviewer's case, a repair) are checked in test_story.py on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.web.browser.conftest import LOCALES, Demo, assert_accessible, new_tab, sign_in, tab_to


def go(path: str) -> Callable[[Any, Demo], None]:
    """Open ``path``."""

    def step(page: Any, demo: Demo) -> None:
        page.goto(demo.url(path))

    return step


def follow(path: str, link: str) -> Callable[[Any, Demo], None]:
    """Open ``path``, then the first link matching ``link`` on it (which must be there)."""

    def step(page: Any, demo: Demo) -> None:
        page.goto(demo.url(path))
        href = page.locator(link).first.get_attribute("href", timeout=5_000)
        assert href, f"{path} has no link {link}"
        page.goto(demo.url(href) if href.startswith("/") else href)

    return step


def send(path: str, field: str, text: str) -> Callable[[Any, Demo], None]:
    """Open ``path``, type ``text`` into ``field`` and send the form by the keyboard: the page names the error."""

    def step(page: Any, demo: Demo) -> None:
        page.goto(demo.url(path))
        tab_to(page, field)
        page.keyboard.type(text)
        with page.expect_navigation():
            page.keyboard.press("Enter")

    return step


def decide_for(who: str) -> Callable[[Any, Demo], None]:
    """The provider asks about ``who`` (SUBJECT_ID, APPLICANT_ID); the decision page is shown."""

    def step(page: Any, demo: Demo) -> None:
        page.goto(demo.url("/provider"))
        tab_to(page, "#subject_id")
        page.keyboard.type(demo.tokens[who])
        with page.expect_navigation():
            page.keyboard.press("Enter")

    return step


@dataclass(frozen=True)
class Visit:
    role: str | None
    name: str
    step: Callable[[Any, Demo], None]
    status: int = 200


VISITS = [
    Visit(None, "home", go("/")),
    Visit(None, "search", go("/search")),
    Visit(None, "search results", go("/search?q=%E5%85%AC%E5%8F%B8")),
    Visit(None, "organization", follow("/search?q=%E5%85%AC%E5%8F%B8", "main a[href^='/organizations/']")),
    Visit(None, "person lookup", go("/lookup")),
    Visit(None, "lists", go("/lists")),
    Visit(None, "a list", go("/lists/dishonest-judgment-debtors")),
    Visit(None, "a notice publication", follow("/lists", "main a[href^='/notices/']")),
    Visit(None, "schemes", go("/schemes")),
    Visit(None, "a scheme", go("/schemes/rongcheng")),
    Visit(None, "a scorecard scheme", go("/schemes/german-credit")),
    Visit(None, "catalogue", go("/catalogue")),
    Visit(None, "transparency", go("/transparency")),
    Visit(None, "how to object", go("/how-to-object")),
    Visit(None, "verify a report", go("/verify")),
    Visit(None, "sign in", go("/sign-in")),
    Visit(None, "sign in with an unknown token", send("/sign-in", "#token", "not-a-token"), 401),
    Visit(None, "not found", go("/no-such-page"), 404),
    Visit("SUBJECT", "personal file", go("/me")),
    Visit("SUBJECT", "records", go("/me/records")),
    Visit("SUBJECT", "notices", go("/me/notices")),
    Visit("SUBJECT", "access log", go("/me/access-log")),
    Visit("SUBJECT", "decisions", go("/me/decisions")),
    Visit("SUBJECT", "cases", go("/me/cases")),
    Visit("SUBJECT", "object to a record", follow("/me/records", "main a[href^='/me/object']")),
    Visit("SUBJECT", "refused: another role's page", go("/operator"), 403),
    Visit("COURT", "authority home", go("/authority")),
    Visit("COURT", "upload", go("/authority/upload")),
    Visit("COURT", "list entries", go("/authority/lists")),
    Visit("COURT", "submitted", go("/authority/submitted")),
    Visit("REVIEWER", "review queue", go("/review")),
    Visit("OPERATOR", "operator home", go("/operator")),
    Visit("OPERATOR", "audit log", go("/operator/audit")),
    Visit("OPERATOR", "audit a scheme version", go("/operator/schemes/audit")),
    Visit("TICKET_SELLER", "ask for a decision", go("/provider")),
    Visit("TICKET_SELLER", "a decision", decide_for("SUBJECT_ID")),
    Visit("LENDER", "a credit decision: refused, with four reason codes", decide_for("APPLICANT_ID")),
    Visit("APPLICANT", "a file under a scorecard, with the points given up", go("/me")),
    Visit("APPLICANT", "a refusal's notice, with its key factors", go("/me/notices")),
    Visit("TICKET_SELLER", "a decision about an invalid number", send("/provider", "#subject_id", "123"), 422),
]


@pytest.fixture(scope="module")
def tabs(browser: Any, demo: Demo) -> Iterator[Callable[[str | None, str], Any]]:
    """One tab per role, signed in once (sign-in attempts are limited per address), switched to the language
    asked for by the switch every page carries, as a reader does."""
    opened: dict[str | None, Any] = {}
    reading: dict[str | None, str] = {}

    def tab(role: str | None, language: str) -> Any:
        if role not in opened:
            page = new_tab(browser, language)
            if role:
                sign_in(page, demo, demo.tokens[role])
            opened[role], reading[role] = page, language
        page = opened[role]
        if reading[role] != language:
            page.goto(demo.url(f"/language?to={language}&next=/"))
            reading[role] = language
        return page

    yield tab
    for page in opened.values():
        page.context.close()


@pytest.mark.parametrize("language", list(LOCALES))
@pytest.mark.parametrize("visit", VISITS, ids=lambda v: f"{v.role or 'public'}: {v.name}")
def test_every_page_passes_axe_and_is_one_document(
    tabs: Callable[[str | None, str], Any], demo: Demo, axe_source: str, visit: Visit, language: str
) -> None:
    page = tabs(visit.role, language)
    answers: list[int] = []
    listener = lambda response: answers.append(response.status) if response.request.is_navigation_request() else None  # noqa: E731
    page.on("response", listener)
    try:
        visit.step(page, demo)
    finally:
        page.remove_listener("response", listener)
    assert answers and answers[-1] == visit.status, f"{page.url}: answered {answers}"
    assert page.title().strip(), f"{page.url}: no title"
    assert page.locator("h1").count() == 1, f"{page.url}: not exactly one h1"
    assert (page.locator("html").get_attribute("lang") or "")[:2] == language[:2], f"{page.url}: wrong lang"
    assert page.locator("a[href^='/language']").count() or page.locator("form[action='/language']").count(), (
        f"{page.url}: no language switch"
    )
    assert_accessible(page, axe_source)
