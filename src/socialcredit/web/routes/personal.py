"""The personal file: what a signed-in subject (a person, or an organization's account) sees of itself, and
its objections and repair applications.

Every page reads through the service (``platform.subject_file``, ``access_log``, ``notices``, ``explanation``;
``due.cases``, ``case``, ``object``, ``apply_for_repair``), so every read is in the subject's access log as
the API's reads are, and the service's refusals (another subject's case: 403; no such case: 404) are the
pages' own. The subject is the holder of its identity number, so these pages show it in full.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from socialcredit.errors import InputError, Problem
from socialcredit.service.parties import Role
from socialcredit.web.i18n import N_
from socialcredit.web.pages import FormDep, Page, PageDep
from socialcredit.web.routes.personal_views import (
    REFERENCE_LIMIT,
    FormErrors,
    Target,
    action_titles,
    actions_in,
    days_left,
    find_entry,
    form_problems,
    form_text,
    grade_lines,
    mask_others,
    objection_item,
    scheme_name,
    score_chart,
    type_titles,
    types_in,
)

router = APIRouter()

PAGE_SIZE = 50
REFERENCE = re.compile(r"[A-Z]{1,3}-[0-9A-F]{1,32}")
ReferencePath = Annotated[str, Path(min_length=1, max_length=REFERENCE_LIMIT, pattern=r"^[A-Z]{1,3}-[0-9A-F]{1,32}$")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Short = Annotated[str, Query(max_length=200)]


def subject_of(page: Page) -> str:
    """The signed-in subject's identifier (the public is sent to sign in; other roles are refused)."""
    party = page.require(Role.SUBJECT)
    assert party.subject_id is not None
    return party.subject_id


def read_file(page: Page) -> dict[str, Any]:
    """The subject's own file (logged as a read), with the titles its types and actions carry on this page."""
    file = page.platform.subject_file(page.party, subject_of(page))
    file["type_titles"] = type_titles(page.platform, types_in(file), page.language)
    file["action_titles"] = action_titles(page.platform, actions_in(file), page.language)
    return file


def one_page(found: list[dict[str, Any]], offset: int) -> dict[str, Any]:
    """A page of at most :data:`PAGE_SIZE` items out of ``found`` (asked for one more, to know there are more)."""
    return {"items": found[:PAGE_SIZE], "more": len(found) > PAGE_SIZE, "offset": offset, "size": PAGE_SIZE}


@router.get("/me")
def overview(page: PageDep) -> Response:
    """Score and grade or list status under each scheme, with a chart and what moved it; list entries,
    measures in force; open cases with their deadlines."""
    file = read_file(page)
    today = page.platform.today()
    for result in file["schemes"]:
        name = scheme_name(result["scheme"])
        result["name"] = name
        result["title"] = page.platform.scheme(name).title
        mask_others(result["measures"], file["subject_id"], "summary")
        result["chart"] = (
            score_chart(result, grade_lines(page.platform, name), page.language) if result["base"] is not None else None
        )
    open_cases = [c for c in file["cases"] if c["status"] in ("open", "suspended", "overdue")]
    for case in open_cases:
        case["days_left"] = days_left(case["deadline"], today)
    return page.render(
        "personal/overview.html",
        file=file,
        open_cases=sorted(open_cases, key=lambda c: c["deadline"]),
        names=page.due.authority_names(),
    )


@router.get("/me/records")
def records(page: PageDep) -> Response:
    """The records in force about the subject, each with its issuer, legal basis, source and an objection link."""
    file = read_file(page)
    return page.render("personal/records.html", file=file, names=page.due.authority_names())


@router.get("/me/notices")
def notices(page: PageDep, offset: Offset = 0) -> Response:
    """Notices sent to the subject, newest first."""
    subject_id = subject_of(page)
    found = page.platform.notices(page.party, subject_id, limit=PAGE_SIZE + 1, offset=offset)["items"]
    return page.render("personal/notices.html", **one_page(found, offset))


@router.get("/me/access-log")
def access_log(page: PageDep, offset: Offset = 0) -> Response:
    """Who looked at the file or received a decision about the subject in the last 24 months."""
    subject_id = subject_of(page)
    found = page.platform.access_log(page.party, subject_id, limit=PAGE_SIZE + 1, offset=offset)["items"]
    return page.render("personal/access_log.html", **one_page(found, offset))


@router.get("/me/decisions")
def decisions(page: PageDep, reference: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """Open a decision by the reference a service provider gave; the decisions served about the subject."""
    subject_of(page)
    errors = FormErrors()
    if reference is not None:
        wanted = reference.strip().upper()
        if REFERENCE.fullmatch(wanted):
            return page.redirect(f"/me/decisions/{wanted}")
        errors.add("reference", N_("Enter the reference as the decision gave it, such as D-1A2B3C4D5E6F7A8B."))
    file = read_file(page)
    status = 422 if errors else 200
    return page.render("personal/decisions.html", status=status, file=file, errors=errors, reference=reference or "")


@router.get("/me/decisions/{reference}")
def decision(page: PageDep, reference: ReferencePath) -> Response:
    """The full explanation of one decision: measures, entries, records, rules, legal bases, how to object."""
    subject_of(page)
    found = page.platform.explanation(page.party, reference)
    for part in found["explanation"].values():
        mask_others(part["reasons"], found["subject_id"], "text")
    records = [r for part in found["explanation"].values() for reason in part["reasons"] for r in reason["records"]]
    titles = type_titles(page.platform, [r["type"] for r in records], page.language)
    actions = action_titles(page.platform, [found["action"]], page.language)
    return page.render(
        "personal/decision.html",
        decision=found,
        type_titles=titles,
        action_titles=actions,
        names=page.due.authority_names(),
    )


@router.get("/me/file.json")
def download(page: PageDep) -> Response:
    """The whole file as a JSON download: the API's download, byte for byte."""
    content = page.platform.subject_file(page.party, subject_of(page), download=True)
    name = f"socialcredit-file-{content['subject_id']}.json"
    return page.finish(
        Response(
            json.dumps(content, ensure_ascii=False, indent=2),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    )


# -- objections ---------------------------------------------------------------------------------------------


def target_of(values: dict[str, Any]) -> Target:
    """The item objected to, from a query or a posted form (each value text of at most 200 characters)."""
    errors = FormErrors()
    fields = {name: form_text(values, name, errors, limit=200) for name in Target.__dataclass_fields__}
    if errors:
        name = next(iter(errors.messages))
        raise InputError([Problem("text of at most 200 characters, sent once, without NUL", name)])
    return Target(**fields)


def render_objection(
    page: Page, target: Target, *, statement: str = "", errors: FormErrors | None = None, status: int = 200
) -> Response:
    """The objection form for ``target``, with what it is about read from the file."""
    file = read_file(page)
    item = objection_item(file, target)
    if target.scheme not in item["schemes"]:
        target.scheme = item["schemes"][0]
    return page.render(
        "personal/object.html",
        status=status,
        file=file,
        target=target,
        item=item,
        statement=statement,
        errors=errors or FormErrors(),
        names=page.due.authority_names(),
        decided_within={name: page.platform.objection_days(page.platform.scheme(name)) for name in item["schemes"]},
    )


@router.get("/me/object")
def objection_form(
    page: PageDep,
    kind: Short = "",
    scheme: Short = "",
    authority: Short = "",
    record_id: Short = "",
    list_id: Short = "",
    key: Short = "",
) -> Response:
    """What is objected to, and the form to object."""
    subject_of(page)
    target = Target(kind, scheme, authority, record_id, list_id, key)
    return render_objection(page, target)


@router.post("/me/object")
def object_(page: PageDep, form: FormDep) -> Response:
    """File the objection; then see its case."""
    subject_of(page)
    target = target_of(form)
    errors = FormErrors()
    statement = form_text(form, "statement", errors, required=True)
    if errors:
        return render_objection(page, target, statement=statement, errors=errors, status=422)
    try:
        filed = page.due.object(
            page.party, scheme=target.scheme, target=target.as_service_target(), statement=statement
        )
    except InputError as exc:
        found = form_problems(exc, ("statement",))
        if found is None:
            raise
        return render_objection(page, target, statement=statement, errors=found, status=422)
    return page.redirect(f"/me/cases/{filed['reference']}")


# -- repair -------------------------------------------------------------------------------------------------

REPAIR_FIELDS = ("obligation_performed", "commitment", "statement")


def render_repair(
    page: Page,
    scheme: str,
    list_id: str,
    key: str,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    """The repair form for an active entry, with its conditions."""
    file = read_file(page)
    name, entry = find_entry(file, scheme, list_id, key or None)
    minimum = page.platform.settings.repair_min_days.get(list_id, 0)
    possible_from = date.fromisoformat(entry["start"]) + timedelta(days=minimum)
    the_scheme = page.platform.scheme(name)
    return page.render(
        "personal/repair.html",
        status=status,
        file=file,
        scheme=name,
        entry=entry,
        minimum=minimum,
        possible_from=possible_from.isoformat(),
        possible=possible_from <= page.platform.today(),
        working_days=page.platform.repair_working_days(the_scheme),
        values=values or {},
        errors=errors or FormErrors(),
        names=page.due.authority_names(),
    )


@router.get("/me/repair")
def repair_form(page: PageDep, scheme: Short = "", list_id: Short = "", key: Short = "") -> Response:
    """The conditions of credit repair for an entry, and the application form."""
    subject_of(page)
    return render_repair(page, scheme, list_id, key)


@router.post("/me/repair")
def repair(page: PageDep, form: FormDep) -> Response:
    """Apply for credit repair; then see the case."""
    subject_of(page)
    target = target_of({k: form.get(k) for k in ("scheme", "list_id", "key")})
    errors = FormErrors()
    commitment = form_text(form, "commitment", errors, required=True)
    statement = form_text(form, "statement", errors)
    performed = form.get("obligation_performed") == "yes"
    values = {"commitment": commitment, "statement": statement, "obligation_performed": performed}
    if not performed:
        errors.add("obligation_performed", N_("Confirm that the obligation has been performed."))
    if errors:
        return render_repair(page, target.scheme, target.list_id, target.key, values=values, errors=errors, status=422)
    try:
        filed = page.due.apply_for_repair(
            page.party,
            scheme=target.scheme,
            list_id=target.list_id,
            key=target.key or None,
            obligation_performed=performed,
            commitment=commitment,
            statement=statement,
        )
    except InputError as exc:
        found = form_problems(exc, REPAIR_FIELDS)
        if found is None:
            raise
        return render_repair(page, target.scheme, target.list_id, target.key, values=values, errors=found, status=422)
    return page.redirect(f"/me/cases/{filed['reference']}")


# -- cases --------------------------------------------------------------------------------------------------


@router.get("/me/cases")
def cases(page: PageDep, offset: Offset = 0) -> Response:
    """The subject's cases by deadline."""
    subject_of(page)
    found = page.due.cases(page.party, limit=PAGE_SIZE + 1, offset=offset)["items"]
    today = page.platform.today()
    for case in found:
        case["days_left"] = days_left(case["deadline"], today)
    return page.render("personal/cases.html", **one_page(found, offset))


@router.get("/me/cases/{reference}")
def case(page: PageDep, reference: ReferencePath) -> Response:
    """One case: reference, status, deadline and days left, what it is about, its history."""
    subject_of(page)
    found = page.due.case(page.party, reference)
    found["days_left"] = days_left(found["deadline"], page.platform.today())
    scheme = page.platform.scheme(found["scheme"])
    return page.render(
        "personal/case.html",
        case=found,
        scheme_title=scheme.title,
        how=scheme.objection_route.how.strip(),
        names=page.due.authority_names(),
        type_titles=type_titles(page.platform, [found["target"].get("type", "")], page.language),
    )
