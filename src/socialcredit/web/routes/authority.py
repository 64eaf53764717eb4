"""Portal pages: an authority's clerk. Its authority and what it may submit; a record file uploaded, checked with
exactly the checks its commit makes (a row-level report, or a preview of what it would write) and committed;
list entries issued and ended one record at a time through the API's own batch path; what it submitted and the
objections and repair applications about its records.

Every form posts and redirects (303) to a page that shows what happened: an upload to its report, a commit or a
single record to its receipt (kept by the service, bound to the clerk)."""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.datastructures import UploadFile
from starlette.responses import Response

from socialcredit.errors import InputError, Problem
from socialcredit.records import Record
from socialcredit.service.parties import Party, Role
from socialcredit.service.public_views import mask_subject
from socialcredit.web.forms import posted_text
from socialcredit.web.pages import FormDep, Page, PageDep

router = APIRouter()

Offset = Annotated[int, Query(ge=0, le=1_000_000)]
PAGE_SIZE = 25
RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")
MAX_TEXT = {"subject_id": 64, "legal_basis": 2000, "source_ref": 2000, "record_id": 128, "source": 200}


def clerk(page: Page) -> Party:
    """The signed-in authority clerk (the public is sent to sign in; other roles are refused, logged)."""
    return page.require(Role.AUTHORITY)


def text_field(form: dict[str, Any], name: str, *, required: bool = False, limit: int | None = None) -> str:
    """A posted text field, bounded by the field's own limit (:data:`MAX_TEXT`) unless ``limit`` is given."""
    return posted_text(form, name, limit=limit or MAX_TEXT.get(name, 4000), required=required)


def safe(value: Any) -> Any:
    """Text with what UTF-8 cannot encode (a lone surrogate read from a file's escape) shown escaped."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(value, str) else value


def masked(value: str) -> str:
    """An identifier as a clerk's page may show it: masked as the lists publish it; one that does not parse (a
    mistyped number is still nearly someone's) with all but its first six and last character hidden."""
    try:
        return mask_subject(value)
    except InputError:
        return value[:6] + "*" * (len(value) - 7) + value[-1:] if len(value) > 9 else value


def shown_problem(problem: Problem) -> Problem:
    """A problem as a page shows it: its text safe to send, a subject's identifier masked (the row and field say
    where it is)."""
    value = safe(problem.value)
    if value and problem.field in ("subject_id", "attributes.person_id"):
        value = masked(value)
    return Problem(
        reason=safe(problem.reason),
        field=safe(problem.field),
        value=value,
        file=safe(problem.file),
        row=problem.row,
        line=problem.line,
    )


def shown_documents(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decision documents as a clerk's page shows them: the subject's identifier masked."""
    return [{**d, "subject_id": mask_subject(d["subject_id"])} for d in documents]


@router.get("/authority")
def authority_home(page: PageDep) -> Response:
    """The authority, its competences, the record types they cover, and the ways in."""
    party = clerk(page)
    profile = page.platform.authority_views.profile(party)
    return page.render("authority/home.html", profile=profile)


@router.get("/authority/upload")
def upload_form(page: PageDep) -> Response:
    """A record file to check."""
    clerk(page)
    limit = page.platform.settings.max_request_bytes
    return page.render("authority/upload.html", limit_mb=limit // (1024 * 1024), problems=[])


@router.post("/authority/upload")
def upload(page: PageDep, form: FormDep) -> Response:
    """Keep the uploaded file (bound to the clerk) and go to its report; a file that cannot be one is refused on
    the form again (422), nothing kept."""
    party = clerk(page)
    limit = page.platform.settings.max_request_bytes
    try:
        source = text_field(form, "source")
        upload_file = form.get("file")
        if not isinstance(upload_file, UploadFile) or not upload_file.filename:
            raise InputError([Problem("choose a record file (.csv, .jsonl or .ndjson)", "file")])
        data = upload_file.file.read(limit + 1)
        kept = page.platform.uploads.keep(party, upload_file.filename, data, label=source)
    except InputError as refused:
        problems = [shown_problem(p) for p in refused.problems]
        return page.render("authority/upload.html", status=422, limit_mb=limit // (1024 * 1024), problems=problems)
    return page.redirect(f"/authority/upload/{kept.upload_id}")


@router.get("/authority/upload/{upload_id}")
def upload_report(page: PageDep, upload_id: str) -> Response:
    """The row-level report of the checks its commit makes, or a preview of what it would write."""
    party = clerk(page)
    upload = page.platform.uploads.get(party, upload_id)
    try:
        preview = page.platform.uploads.preview(party, upload_id)
    except InputError as refused:
        problems = [shown_problem(p) for p in refused.problems]
        return page.render("authority/report.html", upload=upload.as_dict(), problems=problems, preview=None)
    preview["list_entries"] = shown_documents(preview["list_entries"])
    return page.render("authority/report.html", upload=upload.as_dict(), problems=[], preview=preview)


@router.post("/authority/upload/{upload_id}/commit")
def commit(page: PageDep, form: FormDep, upload_id: str) -> Response:
    """Write the kept file all or nothing, send its notices, show the receipt."""
    party = clerk(page)
    page.platform.uploads.commit(party, upload_id)
    page.platform.dispatch_quietly()
    return page.redirect(f"/authority/receipts/{upload_id}")


@router.post("/authority/upload/{upload_id}/discard")
def discard(page: PageDep, form: FormDep, upload_id: str) -> Response:
    """Forget a kept file without writing it."""
    party = clerk(page)
    page.platform.uploads.discard(party, upload_id)
    return page.redirect("/authority/upload?discarded=1")


@router.get("/authority/receipts/{receipt_id}")
def receipt(page: PageDep, receipt_id: str) -> Response:
    """What a commit or a single record wrote, with the decision documents of the entries it opened."""
    party = clerk(page)
    out = page.platform.uploads.receipt(party, receipt_id)
    out["list_entries"] = shown_documents(out.get("list_entries", []))
    return page.render("authority/receipt.html", receipt=out)


@router.get("/authority/lists")
def lists(page: PageDep) -> Response:
    """The lists the authority may issue entries on, with a form to issue an entry and to end one."""
    return lists_page(page, clerk(page))


def lists_page(
    page: Page,
    party: Party,
    *,
    status: int = 200,
    problems: list[Problem] | None = None,
    sent: dict[str, Any] | None = None,
) -> Response:
    """The lists page; after a refused form, its problems and that form filled in again as it was sent."""
    found = page.platform.authority_views.lists(party)
    # A fresh record id per form: sending the same form twice stores one record, not two.
    ids = {item["list_id"]: {"entry": new_record_id(), "exit": new_record_id()} for item in found}
    today = page.platform.today().isoformat()
    return page.render(
        "authority/lists.html",
        status=status,
        lists=found,
        ids=ids,
        today=today,
        problems=problems or [],
        sent=sent or {"form": None, "values": {}},
    )


def sent_back(form: dict[str, Any], list_id: str, step: str) -> dict[str, Any]:
    """Which form was sent and its text values (safe to show again), to fill it in again."""
    # The subject's identifier is not shown again: no page shows a full identity number to a clerk.
    values = {k: safe(v)[:4000] for k, v in form.items() if isinstance(v, str) and k not in ("csrf", "subject_id")}
    key = f"{list_id}-entry" if step == "entry" else f"{list_id}-exit-{values.get('type', '')}"
    return {"form": key, "values": values}


def new_record_id() -> str:
    """A record id for a record entered on a form."""
    return f"WEB-{secrets.token_hex(8).upper()}"


@router.post("/authority/lists/{list_id}/{step}")
def issue(page: PageDep, form: FormDep, list_id: str, step: str) -> Response:
    """Submit one record that opens (``entry``) or ends (``exit``) an entry on the list, through the same path as
    the API's batch, and show its receipt with the decision document."""
    party = clerk(page)
    rule = page.platform.authority_views.list_rule(party, list_id)
    try:
        record = form_record(form, step_type(form, rule, step))
        out = page.platform.uploads.submit_one(party, record, source=f"portal: {list_id} {step}")
    except InputError as refused:
        # The form again, with what is wrong above it: nothing was written.
        problems = [shown_problem(p) for p in refused.problems]
        return lists_page(page, party, status=422, problems=problems, sent=sent_back(form, list_id, step))
    page.platform.dispatch_quietly()
    return page.redirect(f"/authority/receipts/{out['receipt']}")


def step_type(form: dict[str, Any], rule: dict[str, Any], step: str) -> dict[str, Any]:
    """The record type a list form submits: the list's entry type, or the exit type the form names."""
    if step == "entry":
        return rule["entry"]
    if step != "exit":
        raise InputError([Problem("entry or exit", "step", step[:20])])
    chosen = text_field(form, "type", required=True, limit=128)
    found = next((x for x in rule["exits"] if x["type"] == chosen), None)
    if found is None:
        raise InputError([Problem("not an exit of this list this authority may record", "type", chosen)])
    return found


def form_record(form: dict[str, Any], record_type: dict[str, Any]) -> Record:
    """The record a list form describes, its attributes typed as the catalogue declares them; every problem at
    once, by field."""
    problems: list[Problem] = []

    def take(name: str, **kw: Any) -> str:
        try:
            return text_field(form, name, **kw)
        except InputError as exc:
            problems.extend(exc.problems)
            return ""

    record_id = take("record_id", required=True)
    if record_id and not RECORD_ID.fullmatch(record_id):
        problems.append(Problem("letters, digits and . _ : - only", "record_id", record_id))
    subject_id = take("subject_id", required=True)
    day_text = take("occurred_at", required=True, limit=10)
    day = None
    try:
        day = date.fromisoformat(day_text) if day_text else None
    except ValueError:
        problems.append(Problem("a day is written YYYY-MM-DD", "occurred_at", day_text))
    attributes: dict[str, Any] = {}
    for spec in record_type["attributes"]:
        raw = take(f"attr_{spec['name']}", limit=spec["max_length"] if spec["type"] == "text" else 64)
        if raw == "":
            continue
        value = typed(raw, spec["type"])
        if value is None:
            problems.append(Problem(f"expected {spec['type']}", f"attributes.{spec['name']}", raw))
        else:
            attributes[spec["name"]] = value
    legal_basis = take("legal_basis", required=True)
    source_ref = take("source_ref", required=True)
    if problems or day is None:
        raise InputError(problems or [Problem("required", "occurred_at")])
    return Record(
        record_id=record_id,
        subject_id=subject_id,
        type=record_type["type"],
        occurred_at=day,
        attributes=attributes,
        legal_basis=legal_basis,
        source_ref=source_ref,
    )


def typed(raw: str, kind: str) -> str | int | float | bool | None:
    """A form's text as the attribute kind wants it; None when it is not one (the catalogue checks the rest)."""
    if kind == "integer":
        return int(raw) if re.fullmatch(r"-?[0-9]{1,15}", raw) else None
    if kind == "number":
        try:
            number = float(raw)
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw)
    return raw


@router.get("/authority/submitted")
def submitted(page: PageDep, batches: Offset = 0, cases: Offset = 0) -> Response:
    """The authority's batches, and the objections and repair applications about its records."""
    party = clerk(page)
    views = page.platform.authority_views
    return page.render(
        "authority/submitted.html",
        batches=views.batches(party, limit=PAGE_SIZE, offset=batches),
        cases=views.cases(party, limit=PAGE_SIZE, offset=cases),
        batches_offset=batches,
        cases_offset=cases,
        limit=PAGE_SIZE,
    )
