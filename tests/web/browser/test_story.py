"""The portal's whole story in Chromium, by the keyboard alone, once in each language against a demo city of its
own: a court clerk uploads a record file with one bad row, sees the row and field named, fixes it and commits,
which lists the demo subject; a ticket seller's decision is refused with its reason; the person signs in, sees
why (the entry, its legal basis, how long it lasts, the measure) and objects; the reviewer rejects the objection
with reasons (the judgment stands); the person, having performed the obligation, applies for credit repair and
the reviewer grants it; the public list no longer shows the entry; the transparency page counts the objection
and the repair. Every page on the way passes axe-core's WCAG 2.1 AA rules.

The main pages are saved as PNG screenshots (1280x900, the viewport) into a temporary folder, and into
docs/screenshots/<language>-<name>.png with SOCIALCREDIT_SCREENSHOTS=1 (the README shows those).

Nothing is clicked or filled in: the focus moves with Tab (``tab_to``), text is typed, buttons and links are
pressed with Enter, boxes with Space, radio buttons with the arrow keys. The one exception is the file chooser:
a real user picks the file in the operating system's dialog, which a browser test cannot drive, so the file is
set on the focused input with ``set_input_files``.
"""

from __future__ import annotations

import csv
import os
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from socialcredit.ids.resident import make_resident_id
from socialcredit.web.i18n import Language
from tests.web.browser.conftest import (
    LOCALES,
    ROOT,
    Demo,
    assert_accessible,
    new_tab,
    serve_demo,
    sign_in,
    tab_to,
)

LIST_ID = "dishonest-judgment-debtors"
SCREENSHOTS = ROOT / "docs" / "screenshots"
SHOTS = (
    "home",
    "list",
    "scheme",
    "organization",
    "upload-report",
    "provider-refusal",
    "me",
    "case",
    "review-case",
    "transparency",
)
"""The screenshots each language's story saves, by name."""
HEADER = ["record_id", "subject_id", "type", "occurred_at", "case_no", "ground", "name", "legal_basis", "source_ref"]
BASIS = "SPC Provisions (法释〔2017〕7号), Art. 1"
"""The legal basis the clerk's records cite."""
LIST_BASIS = "SPC Provisions (法释〔2017〕7号), Art. 1 and Art. 2"
"""The list's own, which the person's file shows for the entry."""
CODEBTOR = make_resident_id("371082", date(1979, 3, 14), 417)
"""A second debtor in the clerk's file, a resident of Rongcheng (the file's bad row is about this debtor)."""
FIGURES = ("entries_made", "objections_filed", "objections_upheld", "corrections", "repairs_applied", "repairs_granted")
"""The transparency table's count columns, in its order (then the median days to decide)."""


@dataclass
class Story:
    """One language's run: its demo city, where its screenshots go, the case number the clerk lists the subject
    under, axe-core's source, and the screenshots saved."""

    language: str
    demo: Demo
    shots: Path
    case_no: str
    axe: str
    saved: list[Path] = field(default_factory=list)

    @property
    def words(self) -> Language:
        return Language(self.language)

    def _(self, message: str) -> str:
        """``message`` as the portal writes it in this story's language."""
        return self.words.gettext(message)


@pytest.fixture(scope="module", params=list(LOCALES))
def story(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, browser: Any, axe_source: str
) -> Iterator[Story]:
    """A demo city of its own per language, so that neither run sees the other's records and cases."""
    language = request.param
    shots = tmp_path_factory.mktemp(f"screenshots-{language}")
    for demo in serve_demo(tmp_path_factory.mktemp(f"story-{language}")):  # serves until the loop resumes
        case_no = f"(2026)鲁1082执{9100 + list(LOCALES).index(language)}号"
        yield Story(language, demo, shots, case_no, axe_source)


# -- helpers --------------------------------------------------------------------------------------------------


def shoot(page: Any, story: Story, name: str, at: str | None = None) -> None:
    """Save the viewport as ``<language>-<name>.png`` (and into docs/screenshots with SOCIALCREDIT_SCREENSHOTS=1),
    scrolled to the element ``at`` when given, else at the top."""
    assert name in SHOTS
    page.evaluate("document.activeElement && document.activeElement.blur()")  # no focus ring in the picture
    if at is not None:
        page.locator(at).first.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    path = story.shots / f"{story.language}-{name}.png"
    page.screenshot(path=str(path), type="png")
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    assert (width, height) == (1280, 900), f"{path.name}: {width}x{height}, not the viewport"
    story.saved.append(path)
    if os.environ.get("SOCIALCREDIT_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / path.name).write_bytes(path.read_bytes())


def press_and_wait(page: Any, key: str = "Enter") -> None:
    """Press ``key`` on the focused element and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def follow(page: Any, selector: str, limit: int = 120) -> None:
    """Tab to the link or button ``selector`` and press Enter on it."""
    tab_to(page, selector, limit)
    press_and_wait(page)


def type_into(page: Any, selector: str, text: str, limit: int = 120) -> None:
    tab_to(page, selector, limit)
    page.keyboard.type(text)


def choose(page: Any, name: str, value: str) -> None:
    """Check the radio button ``value`` of the group ``name`` as a keyboard user does: Tab into the group, Space
    on its first button, then the arrow keys."""
    buttons = page.locator(f"input[type=radio][name='{name}']")
    values = [buttons.nth(i).get_attribute("value") for i in range(buttons.count())]
    assert value in values, f"no {value!r} among {values}"
    tab_to(page, f"input[type=radio][name='{name}']")
    page.keyboard.press("Space")
    for _ in range(values.index(value)):
        page.keyboard.press("ArrowDown")
    assert page.locator(f"input[type=radio][name='{name}']:checked").get_attribute("value") == value


def row_of(page: Any, table: str, text: str) -> list[str]:
    """The cells' text of the first row of ``table`` (a CSS selector) that contains ``text``."""
    row = page.locator(f"{table} tr", has_text=text).first
    assert row.count() == 1, f"no row with {text!r} in {table} on {page.url}"
    return [c.strip() for c in row.locator("th, td").all_inner_texts()]


def figures(page: Any, story: Story) -> dict[str, int]:
    """The transparency page's counts for the list, by figure, from its table."""
    check(page, story)
    row = page.locator(f"table.table tbody tr:has(th a[href='/lists/{LIST_ID}'])")
    assert row.count() == 1, f"no row for {LIST_ID} on {page.url}"
    counts = row.locator("td").all_inner_texts()[: len(FIGURES)]
    return {name: int(re.sub(r"[^0-9]", "", text)) for name, text in zip(FIGURES, counts, strict=True)}


def check(page: Any, story: Story) -> None:
    """The page as it is now passes axe-core's WCAG 2.1 A and AA rules."""
    assert_accessible(page, story.axe)


def record_file(folder: Path, name: str, rows: list[list[str]]) -> Path:
    """A CSV record file as the upload page takes it: the header, then one record a row."""
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


# -- the acts -------------------------------------------------------------------------------------------------


def public_pages(browser: Any, story: Story) -> dict[str, int]:
    """Before the story: the public's home, a list, a scheme, an organization found by search and a licensed one
    found from its licence notice, reached from the menus; the transparency figures as they stand."""
    page = new_tab(browser, story.language)
    try:
        page.goto(story.demo.url("/"))
        check(page, story)
        shoot(page, story, "home")
        follow(page, "nav.main-nav a[href='/lists']")
        check(page, story)
        follow(page, f"main a[href='/lists/{LIST_ID}']")
        check(page, story)
        assert story.case_no not in page.content()
        shoot(page, story, "list")
        follow(page, "main a[href='/schemes/judgment-debtors']")
        check(page, story)
        shoot(page, story, "scheme")
        follow(page, "nav.main-nav a[href='/search']")
        check(page, story)
        type_into(page, "#q", "公司")
        press_and_wait(page)
        check(page, story)
        follow(page, "main a[href^='/organizations/']")
        check(page, story)
        # A business the market regulator licensed: its page shows the notices' standard fields (双公示).
        follow(page, "nav.main-nav a[href='/lists']")
        follow(page, "main a[href='/notices/administrative-licences']")
        check(page, story)
        follow(page, "main a[href^='/organizations/']")
        check(page, story)
        assert page.locator("section.notice").count() >= 1
        shoot(page, story, "organization")
        follow(page, "nav.main-nav a[href='/transparency']")
        return figures(page, story)
    finally:
        page.context.close()


def clerk_lists_the_debtor(browser: Any, story: Story) -> None:
    """The court's clerk uploads a file whose second row has a ground the law does not have, sees that row and
    field named, uploads the corrected file, checks the preview and commits: the subject is listed."""
    demo, today = story.demo, story.demo.tokens["TODAY"]
    subject = demo.tokens["SUBJECT_ID"]
    other_case = story.case_no.replace("执", "执恢")
    listing = ["WEB-STORY-1", subject, "court.dishonest_listing", today, story.case_no, "1", "", BASIS, "判决书"]
    bad = ["WEB-STORY-2", CODEBTOR, "court.dishonest_listing", today, other_case, "9", "", BASIS, "判决书"]
    fixed = [*bad[:5], "2", *bad[6:]]
    folder = story.shots.parent
    page = new_tab(browser, story.language)
    try:
        sign_in(page, demo, demo.tokens["COURT"])
        assert page.url.endswith("/authority"), page.url
        check(page, story)
        follow(page, "main a[href='/authority/upload']")
        check(page, story)
        upload(page, record_file(folder, f"court-{story.language}.csv", [listing, bad]), "2026 court listings")
        check(page, story)
        assert story._("The file cannot be committed") in page.inner_text("main")
        problems = page.locator("table.problems tbody tr")
        assert problems.count() == 1, page.inner_text("table.problems")
        file, row, column, value, _why = (c.strip() for c in problems.first.locator("td").all_inner_texts())
        assert (file, row, column, value) == (f"court-{story.language}.csv", "2", "attributes.ground", "9")
        assert page.locator("form[action$='/commit']").count() == 0
        shoot(page, story, "upload-report")
        follow(page, "main a[href='/authority/upload']")
        upload(page, record_file(folder, f"court-{story.language}-fixed.csv", [listing, fixed]), "2026 court listings")
        check(page, story)
        assert story._("The file passed every check") in page.inner_text("main")
        assert subject not in page.content()  # the preview masks identity numbers
        documents = page.locator("table", has_text=story.case_no)
        assert documents.count() == 1, "the preview names the list entry it would open"
        follow(page, "form[action$='/commit'] button[type=submit]")
        assert "/authority/receipts/" in page.url
        check(page, story)
        assert story.case_no in page.inner_text("main")
    finally:
        page.context.close()


def upload(page: Any, path: Path, label: str) -> None:
    """Choose the file and send the upload form, by keyboard."""
    tab_to(page, "#file")
    # A person picks the file in the operating system's dialog (Space or Enter on the focused input opens it);
    # a browser test cannot drive that dialog, so the file is set on the input the keyboard focused.
    page.locator("#file:focus").set_input_files(str(path))
    type_into(page, "#source", label)
    press_and_wait(page)  # Enter in a text field sends its form


def seller_is_refused(browser: Any, story: Story) -> str:
    """The ticket seller asks whether the subject may buy an air ticket: not allowed, with the reason codes and
    the reference to give the person. Returns that reference."""
    demo = story.demo
    page = new_tab(browser, story.language)
    try:
        sign_in(page, demo, demo.tokens["TICKET_SELLER"])
        assert page.url.endswith("/provider"), page.url
        check(page, story)
        type_into(page, "#subject_id", demo.tokens["SUBJECT_ID"])
        tab_to(page, "#action")
        assert page.locator("#action").input_value() == "buy_air_ticket"
        tab_to(page, "form[action='/provider/decide'] button[type=submit]")
        press_and_wait(page)
        assert "/provider/decisions/D-" in page.url, page.url
        check(page, story)
        main = page.inner_text("main")
        assert story._("Not allowed") in main
        reasons = page.locator("dd", has=page.locator("code")).all_inner_texts()
        assert any(LIST_ID in r for r in reasons), reasons
        reference = page.url.rsplit("/", 1)[1]
        assert reference in main
        shoot(page, story, "provider-refusal")
        return reference
    finally:
        page.context.close()


def person_sees_why_and_objects(browser: Any, story: Story, reference: str) -> str:
    """The person signs in: the file shows the entry (its case, legal basis, how long it lasts) and the measure
    in force; the decision the seller gave opens by its reference; the person objects to the entry and sees the
    case with its deadline. Returns the case's reference."""
    demo = story.demo
    page = new_tab(browser, story.language)
    try:
        sign_in(page, demo, demo.tokens["SUBJECT"])
        assert page.url.endswith("/me"), page.url
        check(page, story)
        entry = row_of(page, "main table", story.case_no)
        assert entry[-2] == LIST_BASIS and story._("until its exit conditions are met") in entry
        measures = page.locator("main table", has_text="SPC Provisions on Restricting High Consumption")
        assert measures.count() == 1, "the measure in force is shown with its legal basis"
        assert story._("until the entry ends") in measures.inner_text()
        shoot(page, story, "me", at=f"main section:has(td:has-text('{story.case_no}'))")
        follow(page, "main a[href='/me/decisions']", limit=200)
        check(page, story)
        type_into(page, "#reference", reference)
        press_and_wait(page)
        assert page.url.endswith(f"/me/decisions/{reference}")
        check(page, story)
        assert story.case_no in page.inner_text("main")
        follow(page, "main a[href='/me']")
        follow(page, f"main tr:has-text('{story.case_no}') a[href^='/me/object']", limit=200)
        check(page, story)
        assert story.case_no in page.inner_text("main")
        type_into(page, "#statement", "The judgment was appealed; I ask the court to check the listing.")
        follow(page, "form[action='/me/object'] button[type=submit]")
        match = re.search(r"/me/cases/(OBJ-[0-9A-F]+)$", page.url)
        assert match, page.url
        case = match.group(1)
        check(page, story)
        deadline = story.words.day(date.fromisoformat(demo.tokens["TODAY"]) + timedelta(days=15))
        assert deadline in page.inner_text("main")
        shoot(page, story, "case")
        follow(page, "main a[href='/me/cases']")
        check(page, story)
        cells = row_of(page, "main table", case)
        assert any(deadline in c for c in cells), cells
        return case
    finally:
        page.context.close()


def reviewer_decides(browser: Any, story: Story, case: str, outcome: str, reasons: str, shot: bool) -> None:
    """The reviewer opens the case from the queue and decides it with reasons."""
    demo = story.demo
    page = new_tab(browser, story.language)
    try:
        sign_in(page, demo, demo.tokens["REVIEWER"])
        assert page.url.endswith("/review"), page.url
        check(page, story)
        follow(page, f"main a[href='/review/cases/{case}']")
        check(page, story)
        assert story.case_no in page.inner_text("main")
        if shot:
            shoot(page, story, "review-case")
        choose(page, "outcome", outcome)
        type_into(page, "#reasons", reasons)
        follow(page, "form[action$='/decision'] button[type=submit]")
        assert page.url.endswith(f"/review/cases/{case}"), page.url
        check(page, story)
        assert reasons in page.inner_text("main")
        assert page.locator("form[action$='/decision']").count() == 0  # decided
    finally:
        page.context.close()


def person_applies_for_repair(browser: Any, story: Story, objection: str) -> str:
    """The person reads the rejection and its reasons on the case, then, having paid, applies for credit repair
    of the entry. Returns the application's reference."""
    demo = story.demo
    page = new_tab(browser, story.language)
    try:
        sign_in(page, demo, demo.tokens["SUBJECT"])
        follow(page, "main a[href='/me/cases']", limit=200)
        follow(page, f"main a[href='/me/cases/{objection}']")
        check(page, story)
        assert story._("What you can still do") in page.inner_text("main")
        follow(page, "nav.account a[href='/me']")  # the account's own page, in the header
        follow(page, f"main tr:has-text('{story.case_no}') a[href^='/me/repair']", limit=200)
        check(page, story)
        tab_to(page, "#obligation_performed")
        page.keyboard.press("Space")
        assert page.locator("#obligation_performed").is_checked()
        type_into(page, "#commitment", "I paid the judgment debt in full and will keep to every judgment.")
        type_into(page, "#statement", "Paid on the court's account; the court's receipt is attached to the case.")
        follow(page, "form[action='/me/repair'] button[type=submit]")
        match = re.search(r"/me/cases/(REP-[0-9A-F]+)$", page.url)
        assert match, page.url
        check(page, story)
        return match.group(1)
    finally:
        page.context.close()


def public_sees_it_gone(browser: Any, story: Story) -> dict[str, int]:
    """Signed out: the list no longer shows the entry; the transparency figures as they stand now."""
    page = new_tab(browser, story.language)
    try:
        page.goto(story.demo.url("/"))
        follow(page, "nav.main-nav a[href='/lists']")
        follow(page, f"main a[href='/lists/{LIST_ID}']")
        check(page, story)
        main = page.inner_text("main")
        assert story.case_no not in main
        assert story.case_no.replace("执", "执恢") in main  # the other debtor's entry stays
        follow(page, "nav.main-nav a[href='/transparency']")
        counted = figures(page, story)
        shoot(page, story, "transparency")
        return counted
    finally:
        page.context.close()


def test_the_whole_story_by_keyboard(browser: Any, story: Story) -> None:
    before = public_pages(browser, story)
    clerk_lists_the_debtor(browser, story)
    refusal = seller_is_refused(browser, story)
    objection = person_sees_why_and_objects(browser, story, refusal)
    reviewer_decides(
        browser, story, objection, "rejected", "The judgment stands and was not performed; the listing is lawful.", True
    )
    repair = person_applies_for_repair(browser, story, objection)
    reviewer_decides(browser, story, repair, "granted", "The court confirms the debt was paid in full.", False)
    after = public_sees_it_gone(browser, story)
    moved = {name: after[name] - before[name] for name in FIGURES}
    assert moved == {
        "entries_made": 2,
        "objections_filed": 1,
        "objections_upheld": 0,
        "corrections": 0,
        "repairs_applied": 1,
        "repairs_granted": 1,
    }, (before, after)
    assert sorted(p.name for p in story.saved) == sorted(f"{story.language}-{name}.png" for name in SHOTS)
