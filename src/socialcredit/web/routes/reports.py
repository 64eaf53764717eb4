"""Credit reports as PDF files, and verifying them.

``GET /organizations/{code}/report.pdf``  an organization's public credit report (anyone)
``GET /me/report.pdf``                    the signed-in subject's own full report from its file
``GET /reports/{reference}.pdf``          an issued report rendered again, the same bytes (a subject's own: its
                                          holder only)
``GET /verify``                           the verification form: a reference, and optionally the file
``POST /verify``                          → 303 to ``/verify/{reference}`` (with the uploaded file's SHA-256)
``GET /verify/{reference}``               what was issued under the reference; whether a file matches

The reports are written in the page's language. What they contain, who may have them and what issuing writes
are the service's (:mod:`socialcredit.service.reports`); their layout is :mod:`socialcredit.web.pdf`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.datastructures import UploadFile
from starlette.responses import Response

from socialcredit.errors import InputError, NotFound
from socialcredit.service.parties import Unauthenticated
from socialcredit.service.reports import MAX_PDF_BYTES, Issued, Reports, check_reference, sha256
from socialcredit.web.i18n import N_
from socialcredit.web.pages import FormDep, Page, PageDep
from socialcredit.web.pdf import PdfRenderer

router = APIRouter()

RENDERER = PdfRenderer()

KIND_NAMES = {"organization": N_("Organization's public credit report"), "own": N_("Subject's own credit report")}
"""How the verification page names each kind of report."""


def reports(page: Page) -> Reports:
    """The service's reports."""
    return page.platform.reports


def pdf_response(page: Page, issued: Issued) -> Response:
    """The report's file, named by its reference; never cached by a shared cache (a subject's own is personal)."""
    name = f"credit-report-{issued.document.reference}.pdf"
    headers = {
        "Content-Disposition": f'inline; filename="{name}"',
        "Cache-Control": "private, no-store",
        "X-Report-Reference": issued.document.reference,
        "X-Report-SHA256": issued.pdf_sha256,
    }
    return page.finish(Response(issued.pdf, media_type="application/pdf", headers=headers))


def verify_base(page: Page) -> str:
    """This site's address, for the verification address printed on the report."""
    return str(page.request.base_url)


@router.get("/organizations/{code}/report.pdf")
def organization_report(page: PageDep, code: str) -> Response:
    """An organization's public credit report, issued now (or the identical one already issued today)."""
    issued = reports(page).organization(
        page.party, code[:100], language=page.language.code, renderer=RENDERER, verify_base=verify_base(page)
    )
    return pdf_response(page, issued)


@router.get("/me/report.pdf")
def own_report(page: PageDep) -> Response:
    """The signed-in subject's own full report; anyone else gets what the service answers."""
    if not page.signed_in:
        raise Unauthenticated("sign in to have your own credit report")
    language = page.language.code
    issued = reports(page).own(page.party, language=language, renderer=RENDERER, verify_base=verify_base(page))
    return pdf_response(page, issued)


@router.get("/reports/{reference}.pdf")
def report_again(page: PageDep, reference: str) -> Response:
    """An issued report's file, rendered again from what was kept: the same bytes."""
    return pdf_response(page, reports(page).render_again(page.party, reference[:40], renderer=RENDERER))


@router.get("/verify")
def verify_form(page: PageDep, reference: Annotated[str, Query(max_length=100)] = "") -> Response:
    """Enter a report's reference, and choose its file to compare if you have it; a reference in the address is
    looked up at once."""
    if reference:
        try:
            return page.redirect(f"/verify/{check_reference(reference)}")
        except InputError as exc:
            return page.render("reports/verify.html", status=422, reference=reference, errors=reasons(exc))
    return page.render("reports/verify.html", reference="", errors=[])


@router.post("/verify")
def verify_posted(page: PageDep, form: FormDep) -> Response:
    """Check the form; see the result (with the uploaded file's SHA-256, never the file itself)."""
    given = form.get("reference")
    text = given if isinstance(given, str) else ""
    errors: list[str] = []
    reference = ""
    try:
        reference = check_reference(text)
    except InputError as exc:
        errors += reasons(exc)
    digest = None
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = upload.file.read(MAX_PDF_BYTES + 1)
        if len(data) > MAX_PDF_BYTES:
            errors.append(page.language.gettext(N_("The file is larger than any report; choose the report's PDF.")))
        elif data:
            digest = sha256(data)
    if errors:
        return page.render("reports/verify.html", status=422, reference=shown(text), errors=errors)
    return page.redirect(page.url(f"/verify/{reference}", sha256=digest))


@router.get("/verify/{reference}")
def verified(
    page: PageDep, reference: str, file_sha256: Annotated[str | None, Query(alias="sha256", max_length=100)] = None
) -> Response:
    """What was issued under ``reference``; whether the file compared matches. An unknown reference says so."""
    try:
        result = reports(page).verify(reference[:100], file_sha256=file_sha256 or None)
    except NotFound:
        return page.render("reports/unknown.html", status=404, reference=shown(reference[:40]))
    return page.render("reports/verified.html", result=result, kind_name=KIND_NAMES.get(result["kind"], ""))


def reasons(exc: InputError) -> list[str]:
    """The reasons of a refusal, as the service words them."""
    return [p.reason for p in exc.problems]


def shown(value: Any) -> str:
    """A value the reader typed, safe to show again (a lone surrogate escaped, control characters dropped)."""
    text = value if isinstance(value, str) else ""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c for c in text if c.isprintable())[:100]
