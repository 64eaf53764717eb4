"""The markup checks every portal page passes without a browser: what an accessibility checker and a reader with a
screen reader rely on (the browser tests run axe-core over the same pages).

``problems(html)`` names each failure; a test asserts the list is empty, so a failure says what and where.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise

CONTROLS = ("input", "select", "textarea")
UNLABELLED_TYPES = ("hidden", "submit")


class Structure(HTMLParser):
    """Ids, labels, descriptions, headings, tables and inline script or style of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.labelled: set[str] = set()
        self.controls: list[str | None] = []
        self.described: list[str] = []
        self.headings: list[int] = []
        self.unscoped = 0
        self.tables = 0
        self.captions = 0
        self.styles = 0
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if "style" in a:
            self.styles += 1
        if tag == "label" and a.get("for"):
            self.labelled.add(str(a["for"]))
        if tag in CONTROLS and a.get("type") not in UNLABELLED_TYPES:
            self.controls.append(a.get("id"))
        if a.get("aria-describedby"):
            self.described += str(a["aria-describedby"]).split()
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        self.unscoped += tag == "th" and a.get("scope") not in ("row", "col")
        self.tables += tag == "table"
        self.captions += tag == "caption"
        self.scripts += tag == "script" or tag == "style"


def problems(html: str) -> list[str]:
    """What is wrong with the page's markup; empty when nothing is."""
    page = Structure()
    page.feed(html)
    out = []
    doubled = sorted({i for i in page.ids if page.ids.count(i) > 1})
    if doubled:
        out.append(f"ids used more than once: {doubled}")
    unlabelled = [c for c in page.controls if c is None or c not in page.labelled]
    if unlabelled:
        out.append(f"form controls without a label: {unlabelled}")
    dangling = sorted(set(page.described) - set(page.ids))
    if dangling:
        out.append(f"aria-describedby names no element: {dangling}")
    if page.headings.count(1) != 1:
        out.append(f"{page.headings.count(1)} h1 headings, not one")
    else:
        body = page.headings[page.headings.index(1) :]
        if any(b - a > 1 for a, b in pairwise(body)):
            out.append(f"a heading level skipped: {page.headings}")
    if page.unscoped:
        out.append(f"{page.unscoped} table header cells without a row or column scope")
    if page.tables != page.captions:
        out.append(f"{page.tables} tables but {page.captions} captions")
    if page.styles or page.scripts:
        out.append("inline style or script")
    return out
