"""The reviewer's pages: the queue of objections and repair applications by deadline, overdue ones first and
marked; a case with the subject's file and the evidence; the decision with reasons.

The queue masks each subject's identifier, as a published list does; the case page shows it in full, since
the reviewer deciding the case must know whom it is about. Reading the case page reads the subject's file and
the case's evidence through the service, so both are in the subject's access log. The service's rules on what
an outcome may change hold: a correction that would make anything worse is refused, and that refusal is the
page shown.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from socialcredit.errors import InputError, Problem
from socialcredit.records import Scalar
from socialcredit.service.case_decisions import OBJECTION_OUTCOMES, REPAIR_OUTCOMES
from socialcredit.service.parties import Role
from socialcredit.service.public_views import mask_subject
from socialcredit.web.i18n import N_
from socialcredit.web.pages import FormDep, Page, PageDep
from socialcredit.web.routes.personal import ReferencePath
from socialcredit.web.routes.personal_views import (
    FormErrors,
    action_titles,
    actions_in,
    days_left,
    form_problems,
    form_text,
    mask_others,
    scheme_name,
    type_titles,
    types_in,
)

router = APIRouter()

PAGE_SIZE = 50
STATUSES = ("open", "upheld", "rejected", "granted", "refused", "all")
KINDS = ("objection", "repair", "all")
CORRECTION_PREFIX = "correct."
Choice = Annotated[str, Query(max_length=20)]


def reviewer(page: Page) -> None:
    """Only reviewers (the public is sent to sign in; another role is refused, logged)."""
    page.require(Role.REVIEWER)


@router.get("/review")
def queue(
    page: PageDep, kind: Choice = "all", status: Choice = "open", offset: Annotated[int, Query(ge=0)] = 0
) -> Response:
    """The cases to decide, by deadline (overdue ones first), filtered by kind and status, a page at a time."""
    reviewer(page)
    problems = []
    if kind not in KINDS:
        problems.append(Problem(f"expected one of {', '.join(KINDS)}", "kind", kind))
    if status not in STATUSES:
        problems.append(Problem(f"expected one of {', '.join(STATUSES)}", "status", status))
    if problems:
        raise InputError(problems)
    found = page.due.cases(
        page.party,
        status=None if status == "all" else status,
        kind=None if kind == "all" else kind,
        limit=PAGE_SIZE + 1,
        offset=offset,
    )["items"]
    today = page.platform.today()
    for case in found:
        case["days_left"] = days_left(case["deadline"], today)
        case["late"] = case["status"] in ("suspended", "overdue")
        case["shown_subject"] = mask_subject(case["subject_id"])
    items = found[:PAGE_SIZE]
    # Within the page, open cases past their deadline come first (the service orders by deadline alone).
    items.sort(key=lambda c: (not c["late"], c["deadline"]))
    return page.render(
        "review/queue.html",
        items=items,
        more=len(found) > PAGE_SIZE,
        offset=offset,
        size=PAGE_SIZE,
        kind=kind,
        chosen_status=status,
        kinds=KINDS,
        statuses=STATUSES,
        late=sum(1 for c in items if c["late"]),
    )


def correctable(evidence: dict[str, Any]) -> dict[str, Scalar]:
    """The attributes a correction may change: those of the latest version of each record objected to (an
    example value of each, whose type says how the form's text is read)."""
    out: dict[str, Scalar] = {}
    for item in evidence["records"]:
        if item["versions"] and not item["versions"][-1]["revoked"]:
            for name, value in item["versions"][-1]["attributes"].items():
                out.setdefault(name, value)
    return out


def render_case(
    page: Page,
    reference: str,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    """The case, the subject's file and the evidence, and (while open) the decision form."""
    case = page.due.case(page.party, reference)
    file = page.platform.subject_file(page.party, case["subject_id"])
    evidence = page.due.evidence(page.party, reference)
    for result in file["schemes"]:
        mask_others(result["measures"], file["subject_id"], "summary")
    types = types_in(file) + [v["type"] for item in evidence["records"] for v in item["versions"]]
    case["days_left"] = days_left(case["deadline"], page.platform.today())
    decidable = case["status"] in ("open", "suspended", "overdue")
    offers_correction = case["kind"] == "objection" and case["target_kind"] in ("record", "list_entry")
    return page.render(
        "review/case.html",
        status=status,
        case=case,
        file=file,
        evidence=evidence,
        decidable=decidable,
        outcomes=OBJECTION_OUTCOMES if case["kind"] == "objection" else REPAIR_OUTCOMES,
        correctable=correctable(evidence) if offers_correction else {},
        values=values or {},
        errors=errors or FormErrors(),
        names=page.due.authority_names(),
        type_titles=type_titles(page.platform, types, page.language),
        action_titles=action_titles(page.platform, actions_in(file), page.language),
        scheme_title=page.platform.scheme(scheme_name(case["scheme"])).title,
    )


@router.get("/review/cases/{reference}")
def case_page(page: PageDep, reference: ReferencePath) -> Response:
    """One case to decide."""
    reviewer(page)
    return render_case(page, reference)


def read_corrections(form: dict[str, Any], allowed: dict[str, Scalar], errors: FormErrors) -> dict[str, Scalar] | None:
    """The corrected attributes the reviewer filled in, each read as the kind of value the record holds; None
    when none was filled in (an upheld objection then revokes the record)."""
    out: dict[str, Scalar] = {}
    for name, example in allowed.items():
        field = CORRECTION_PREFIX + name
        text = form_text(form, field, errors, limit=4000).strip()
        if not text or field in errors.messages:
            continue
        value = parse_like(text, example)
        if value is None:
            errors.add(
                field, N_("Enter a value of the same kind as the record holds (such as %(example)s)."), example=example
            )
        else:
            out[name] = value
    return out or None


def parse_like(text: str, example: Scalar) -> Scalar | None:
    """``text`` read as the same kind of value as ``example`` (None when it is not one)."""
    if isinstance(example, bool):
        return {"true": True, "false": False}.get(text.lower())
    if isinstance(example, int):
        try:
            value = int(text)
        except ValueError:
            return None
        return value if abs(value) <= 2**53 else None
    if isinstance(example, float):
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return text


@router.post("/review/cases/{reference}/decision")
def decide(page: PageDep, reference: ReferencePath, form: FormDep) -> Response:
    """Decide the case with reasons; then see it decided."""
    reviewer(page)
    errors = FormErrors()
    outcome = form_text(form, "outcome", errors, required=True, limit=20)
    reasons = form_text(form, "reasons", errors, required=True)
    case = page.due.case(page.party, reference)
    allowed = OBJECTION_OUTCOMES if case["kind"] == "objection" else REPAIR_OUTCOMES
    if "outcome" not in errors.messages and outcome not in allowed:
        errors.add("outcome", N_("Choose one of the outcomes."))
    corrections = None
    if case["kind"] == "objection" and case["target_kind"] in ("record", "list_entry"):
        corrections = read_corrections(form, correctable(page.due.evidence(page.party, reference)), errors)
    if corrections is not None and outcome != "upheld" and "outcome" not in errors.messages:
        errors.add("outcome", N_("Only an upheld objection corrects: uphold it, or leave the corrections empty."))
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"}
    if errors:
        return render_case(page, reference, values=values, errors=errors, status=422)
    try:
        page.due.decide(page.party, reference, outcome=outcome, reasons=reasons, corrected_attributes=corrections)
    except InputError as exc:
        found = form_problems(exc, ("outcome", "reasons"))
        if found is None:
            raise
        return render_case(page, reference, values=values, errors=found, status=422)
    return page.redirect(f"/review/cases/{reference}")
