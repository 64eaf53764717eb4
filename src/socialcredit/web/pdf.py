"""Credit reports laid out as PDF files (reportlab), in Chinese or English.

The content is assembled by the service (:mod:`socialcredit.service.reports`); this module only lays it out.
Chinese text is set in STSong-Light, one of the CID fonts every PDF reader carries, so no font file ships or is
embedded, and the text stays extractable. English labels are set in Helvetica; a value that Helvetica cannot
show (an organization's Chinese name) is set in STSong-Light.

The output is a function of the :class:`~socialcredit.service.reports.ReportDocument` alone: reportlab's
invariant mode fixes the file's dates and its document id, and nothing here reads the clock or draws a random
number, so the same reference renders the same bytes. Every page carries the reference and the address where
anyone can verify it.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from socialcredit.service.reports import ORGANIZATION, ReportDocument
from socialcredit.web.i18n import N_, Language

LAYOUT = "pdf-1"
"""This layout's version, kept with each report issued with it."""

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))

WIDTH = A4[0] - 36 * mm
"""The text block's width."""

STAMP_LOCK = threading.Lock()
"""reportlab reads the file's date from the environment when a document starts: one document at a time."""


@contextmanager
def stamped(instant: datetime) -> Iterator[None]:
    """Documents started inside carry ``instant`` as their creation date: reportlab takes
    ``SOURCE_DATE_EPOCH`` as the date of an invariant document (else 1 January 2000), so setting it to the issue
    instant makes the file's date the report's own, whatever the process's environment says."""
    with STAMP_LOCK:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = str(int(instant.timestamp()))
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


TITLES = {ORGANIZATION: N_("Public credit report"), "own": N_("Own credit report")}

WORDS: dict[str, str] = {
    "active": N_("in force"),
    "ended": N_("ended"),
    "expired": N_("expired"),
    "allow": N_("allowed"),
    "deny": N_("not allowed"),
    "review": N_("further review"),
    "priority": N_("priority"),
    "objection": N_("objection"),
    "repair": N_("credit repair"),
    "open": N_("open"),
    "overdue": N_("overdue"),
    "suspended": N_("suspended: decision overdue"),
    "upheld": N_("upheld"),
    "granted": N_("granted"),
    "rejected": N_("rejected"),
    "refused": N_("refused"),
    "penalty": N_("Administrative penalty"),
    "licensing": N_("Administrative licensing"),
    "person": N_("person"),
    "organization": N_("organization"),
}
"""Values the reports show that have their own words in each language; any other value is shown as it is."""


def latin(text: str) -> bool:
    """Whether Helvetica can show ``text``."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def clean(value: Any) -> str:
    """A value as text a PDF can hold: control characters and lone surrogates dropped, markup escaped."""
    text = "" if value is None else str(value)
    text = "".join(c for c in text if c.isprintable() or c == "\n")
    text = text.encode("utf-8", "ignore").decode("utf-8")
    return escape(text).replace("\n", "<br/>")


class Layout:
    """The styles and words of one report in one language."""

    def __init__(self, language: Language) -> None:
        self.language = language
        chinese = language.code == "zh_CN"
        self.chinese = chinese
        base = CJK_FONT if chinese else LATIN_FONT
        bold = CJK_FONT if chinese else LATIN_BOLD
        wrap = "CJK" if chinese else None
        self.styles = {
            "title": ParagraphStyle("title", fontName=bold, fontSize=18, leading=24, spaceAfter=6, wordWrap=wrap),
            "h2": ParagraphStyle(
                "h2", fontName=bold, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4, wordWrap=wrap
            ),
            "body": ParagraphStyle("body", fontName=base, fontSize=9.5, leading=13, spaceAfter=4, wordWrap=wrap),
            "cell": ParagraphStyle("cell", fontName=base, fontSize=8.5, leading=11, wordWrap=wrap),
            "head": ParagraphStyle("head", fontName=bold, fontSize=8.5, leading=11, wordWrap=wrap),
        }

    def _(self, message: str, **values: Any) -> str:
        text = self.language.gettext(message)
        return text % values if values else text

    def word(self, value: Any) -> str:
        """A value with words of its own in this language, else as it is."""
        if isinstance(value, bool):
            return self._("yes") if value else self._("no")
        if isinstance(value, str) and value in WORDS:
            return self._(WORDS[value])
        return "" if value is None else str(value)

    def para(self, text: Any, style: str = "body") -> Paragraph:
        """A paragraph of ``text`` (not markup), in a font that can show it."""
        shown = clean(text)
        chosen = self.styles[style]
        if not self.chinese and not latin(str(text or "")):
            chosen = ParagraphStyle(f"{style}-cjk", parent=chosen, fontName=CJK_FONT, wordWrap="CJK")
        return Paragraph(shown, chosen)

    def fields(self, rows: Sequence[tuple[str, Any]]) -> Table:
        """Label and value pairs, two columns."""
        data = [[self.para(label, "head"), self.para(value, "cell")] for label, value in rows]
        table = Table(data, colWidths=[42 * mm, WIDTH - 42 * mm], hAlign="LEFT")
        table.setStyle(grid(header=False))
        return table

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> Flowable:
        """A table with a header row; a sentence when there are no rows."""
        if not rows:
            return self.para(self._("None."))
        data = [[self.para(h, "head") for h in headers]]
        data += [[self.para(cell, "cell") for cell in row] for row in rows]
        scale = WIDTH / sum(widths)
        table = Table(data, colWidths=[w * scale for w in widths], repeatRows=1, hAlign="LEFT")
        table.setStyle(grid(header=True))
        return table

    def day(self, value: Any) -> str:
        """A day in this language, empty for none."""
        return self.language.day(value) if value else ""


def grid(*, header: bool) -> TableStyle:
    """Thin rules around every cell; a grey header row or label column."""
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#b1b4b6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    commands.append(("BACKGROUND", (0, 0), (-1, 0) if header else (0, -1), colors.HexColor("#f3f2f1")))
    return TableStyle(commands)


def issue_fields(layout: Layout, document: ReportDocument) -> list[tuple[str, Any]]:
    """Reference, days and where to verify: the same on both kinds of report."""
    _ = layout._
    return [
        (_("Report reference"), document.reference),
        (_("Issued at"), layout.language.moment(document.issued_at)),
        (_("Data as of"), layout.day(document.as_of)),
        (_("Verify at"), document.verify_url),
    ]


def organization_story(layout: Layout, document: ReportDocument) -> list[Flowable]:
    """An organization's public credit report: registration, notices, list entries, ratings."""
    _, c = layout._, document.content
    story: list[Flowable] = [
        layout.para(c.get("name") or c.get("code"), "title"),
        layout.para(_("Public credit report"), "h2"),
        layout.fields(issue_fields(layout, document)),
        layout.para(_("Registration"), "h2"),
        layout.fields(
            [
                (_("Name"), c.get("name")),
                (_("Unified Social Credit Code"), c.get("code")),
                (_("Type of entity"), c.get("entity_type")),
                (_("Registered on"), layout.day(c.get("registered"))),
                (_("Registering authority"), c.get("registered_by_name") or c.get("registered_by")),
                (_("Legal representative"), c.get("legal_representative")),
            ]
        ),
        layout.para(_("Administrative penalty and licensing notices"), "h2"),
    ]
    notices = list(c.get("notices") or [])
    if not notices:
        story.append(layout.para(_("No notice is in publication about this organization.")))
    for n in notices:
        story.append(KeepTogether([Spacer(1, 4), notice_table(layout, n)]))
    story.append(layout.para(_("Entries on public lists"), "h2"))
    story.append(
        layout.table(
            [_("List"), _("Authority"), _("Legal basis"), _("From"), _("Until")],
            [
                (
                    e.get("list_name") or e.get("list_id"),
                    e.get("authority_name") or e.get("authority") or e.get("issued_by"),
                    e.get("legal_basis"),
                    layout.day(e.get("start")),
                    layout.day(e.get("end")) or _("open-ended"),
                )
                for e in c.get("list_entries") or []
            ],
            [4, 3, 4, 2, 2],
        )
    )
    story.append(layout.para(_("Public ratings"), "h2"))
    story.append(
        layout.table(
            [_("Scheme"), _("Grade"), _("Period")],
            [(r.get("label") or r.get("scheme"), r.get("grade"), r.get("period")) for r in c.get("ratings") or []],
            [5, 2, 3],
        )
    )
    story += closing(layout, organization=True)
    return story


def notice_table(layout: Layout, n: Mapping[str, Any]) -> Table:
    """One penalty or licensing notice with the standard fields of a publicity notice."""
    _ = layout._
    if n.get("kind") == "licence":
        what = [
            (_("Licence"), n.get("licence_name")),
            (_("Licence number"), n.get("licence_no")),
            (_("What it permits"), n.get("content")),
            (_("Valid"), f"{layout.day(n.get('valid_from'))} – {layout.day(n.get('valid_until'))}"),
            (_("Legal basis"), n.get("legal_basis")),
        ]
    else:
        what = [
            (_("Type of violation"), n.get("violation")),
            (_("Facts"), n.get("facts")),
            (_("Legal basis"), n.get("legal_basis")),
            (_("Penalty"), n.get("penalty")),
            (_("Amount (yuan)"), layout.language.number(n["amount"]) if n.get("amount") is not None else ""),
        ]
    return layout.fields(
        [
            (_("Kind"), layout.word(n.get("kind"))),
            (_("Party"), n.get("party")),
            (_("Code"), n.get("code")),
            (_("Decision number"), n.get("decision_no")),
            *what,
            (_("Decision date"), layout.day(n.get("day"))),
            (_("Authority"), n.get("authority_name") or n.get("authority")),
            (_("Published until"), layout.day(n.get("published_until"))),
            (_("Objected to"), layout.word(bool(n.get("disputed")))),
        ]
    )


def own_story(layout: Layout, document: ReportDocument) -> list[Flowable]:
    """A subject's own report: its full identifier, scores, list entries, measures, records, cases, decisions."""
    _, c = layout._, document.content
    story: list[Flowable] = [
        layout.para(_("Own credit report"), "title"),
        layout.fields(
            [
                (_("Identifier"), c.get("subject_id")),
                (_("Kind of subject"), layout.word(c.get("subject_kind"))),
                *issue_fields(layout, document),
            ]
        ),
        layout.para(_("Scores and grades"), "h2"),
        layout.table(
            [_("Scheme"), _("Score"), _("Grade"), _("Objected to")],
            [(s["scheme"], s.get("score"), s.get("grade"), layout.word(s.get("score_disputed"))) for s in c["schemes"]],
            [5, 2, 2, 2],
        ),
        *own_lists_and_measures(layout, c["schemes"]),
        layout.para(_("Records in force"), "h2"),
        layout.table(
            [_("Record"), _("Day"), _("Authority"), _("Legal basis"), _("Objected to")],
            [record_row(layout, r) for r in c["records"]],
            [4, 2, 2, 4, 2],
        ),
        layout.para(_("Objections and repair applications"), "h2"),
        layout.table(
            [_("Reference"), _("Kind"), _("Status"), _("Decided by")],
            [
                (x["reference"], layout.word(x["kind"]), layout.word(x["status"]), layout.day(x["deadline"]))
                for x in c["cases"]
            ],
            [4, 3, 3, 3],
        ),
        layout.para(_("Decisions given to others about you"), "h2"),
        layout.table(
            [_("Who asked"), _("Action"), _("Day"), _("Decision")],
            [(d["party"], d["action"], layout.day(d["at"]), layout.word(d["decision"])) for d in c["decisions"]],
            [3, 4, 3, 3],
        ),
    ]
    story += closing(layout, organization=False)
    return story


def own_lists_and_measures(layout: Layout, schemes: Sequence[Mapping[str, Any]]) -> list[Flowable]:
    """The subject's list entries under every scheme, and the measures in force because of them or a grade."""
    _ = layout._
    entries = [
        (
            e.get("list_name") or e.get("list_id"),
            layout.word(e.get("status")) + (f" ({_('objected to')})" if e.get("disputed") else ""),
            layout.day(e.get("start")),
            layout.day(e.get("end")) or _("open-ended"),
            e.get("legal_basis"),
        )
        for s in schemes
        for e in s["list_entries"]
    ]
    measures = [
        (
            ", ".join(m.get("actions") or []),
            layout.word(m.get("effect")),
            layout.day(m.get("until")),
            m.get("legal_basis"),
        )
        for s in schemes
        for m in s["measures"]
    ]
    return [
        layout.para(_("List entries"), "h2"),
        layout.table([_("List"), _("Status"), _("From"), _("Until"), _("Legal basis")], entries, [4, 2, 2, 2, 4]),
        layout.para(_("Measures in force"), "h2"),
        layout.table([_("Actions"), _("Effect"), _("Until"), _("Legal basis")], measures, [4, 2, 2, 5]),
    ]


def record_row(layout: Layout, r: Mapping[str, Any]) -> tuple[Any, ...]:
    """A record as the report lists it: the catalogue's title in the report's language where it has one."""
    title = (r.get("title_zh") if layout.chinese else None) or r.get("title") or r["type"]
    flags = [layout._("objected to")] if r.get("disputed") else []
    if r.get("suspended"):
        flags.append(layout._("set aside while the objection is decided"))
    shown_flags = ", ".join(flags) or layout.word(False)
    return (title, layout.day(r["occurred_at"]), r["authority"], r["legal_basis"], shown_flags)


ORGANIZATION_SCOPE = N_(
    "This report states what this platform publishes about the organization on the day above: its registration, "
    "the administrative penalty and licensing notices in publication, its entries on public lists and its public "
    "ratings. An empty section means the platform publishes nothing of that kind."
)
COVERAGE = N_(
    "A special credit report in place of certificates of no violation (发改财金〔2025〕565号) covers at least "
    "administrative penalties, administrative compulsion, the list of seriously dishonest entities and criminal "
    "judgments. This platform holds no records of administrative compulsion or criminal judgments: for those, this "
    "report replaces no certificate."
)
OWN_SCOPE = N_(
    "This report is the whole file this platform holds about its holder on the day above, as the holder sees it. "
    "It carries the holder's full identifier: share it only with whom you choose."
)
RESPONSIBILITY = N_(
    "Whoever produces the data is responsible for it: each item names the authority that recorded it. To object "
    "to an item, sign in to the platform and object to it there; the scheme sets the deadline for the decision."
)
CHECKING = N_(
    "Anyone can check this report: open the address above, or the platform's verification page with the "
    "reference, and compare the file's SHA-256."
)


def closing(layout: Layout, *, organization: bool) -> list[Flowable]:
    """What the report covers, who answers for the data, and how to object."""
    _ = layout._
    return [
        layout.para(_("About this report"), "h2"),
        layout.para(_(ORGANIZATION_SCOPE if organization else OWN_SCOPE)),
        *([layout.para(_(COVERAGE))] if organization else []),
        layout.para(_(RESPONSIBILITY)),
        layout.para(_(CHECKING)),
    ]


class PdfRenderer:
    """The portal's PDF layout (:data:`LAYOUT`)."""

    layout = LAYOUT

    def render(self, document: ReportDocument) -> bytes:
        """The report's PDF: the same document, the same bytes."""
        layout = Layout(Language(document.language))
        story = organization_story(layout, document) if document.kind == ORGANIZATION else own_story(layout, document)
        title = layout._(TITLES.get(document.kind, TITLES[ORGANIZATION]))
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=22 * mm,
            title=f"{title} {document.reference}",
            author=layout._("Credit information platform"),
            subject=document.reference,
            creator=LAYOUT,
            producer=LAYOUT,
            lang="zh-CN" if layout.chinese else "en",
            invariant=1,
        )

        def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
            # The reference and the address to verify it on every page, so that a page on its own can be checked.
            canvas.saveState()
            canvas.setFont(CJK_FONT if layout.chinese else LATIN_FONT, 7.5)
            line = layout._(
                "Reference %(reference)s · verify at %(url)s · page %(page)s",
                reference=document.reference,
                url=document.verify_url,
                page=doc.page,
            )
            canvas.drawString(18 * mm, 12 * mm, line)
            canvas.restoreState()

        with stamped(document.issued_at):
            doc.build(story, onFirstPage=footer, onLaterPages=footer)
        return buffer.getvalue()


__all__ = ["LAYOUT", "PdfRenderer"]
