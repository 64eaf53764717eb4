"""Portal pages: the platform's operator. The schemes in operation with their rights audits, the outbox (and
sending it now), the refusal log, the audit log's tree head and its verification; the rights audit of a proposed
scheme, kept by its SHA-256 so that the audited document is the one put into operation; and putting it into
operation, after a confirmation page naming the version it replaces and how many subjects' results get worse.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.datastructures import UploadFile
from starlette.responses import Response

from socialcredit.errors import InputError, Problem
from socialcredit.service.parties import Party, Role
from socialcredit.web.forms import posted_text
from socialcredit.web.pages import FormDep, Page, PageDep

router = APIRouter()

REFUSALS_PAGE = 25
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
MAX_SCHEME_BYTES = 1_000_000


def operator(page: Page) -> Party:
    """The signed-in operator (the public is sent to sign in; other roles are refused, logged)."""
    return page.require(Role.OPERATOR)


@router.get("/operator")
def operator_home(page: PageDep, offset: Offset = 0, sent: Annotated[int | None, Query(ge=0)] = None) -> Response:
    """Schemes and audits, the outbox, the audit log's head and the refusal log."""
    party = operator(page)
    platform = page.platform
    state = platform.operator_state
    # One more than a page tells whether there is a next page without counting the whole log.
    refusals = platform.refusals(party, limit=REFUSALS_PAGE + 1, offset=offset)["items"]
    return page.render(
        "operator/home.html",
        schemes=state.schemes(party),
        outbox=state.outbox(party),
        head=state.tree_head(party),
        refusals=refusals[:REFUSALS_PAGE],
        more=len(refusals) > REFUSALS_PAGE,
        offset=offset,
        limit=REFUSALS_PAGE,
        sent=sent,
    )


@router.post("/operator/outbox/send")
def send_outbox(page: PageDep, form: FormDep) -> Response:
    """Send what waits in the outbox now."""
    party = operator(page)
    out = page.platform.dispatch_notices(party)
    return page.redirect(page.url("/operator", sent=int(out.get("sent", 0))) + "#outbox")


@router.get("/operator/audit")
def audit_log(page: PageDep) -> Response:
    """Verify the audit log now (``socialcredit audit verify``): recomputed from every leaf."""
    party = operator(page)
    state = page.platform.operator_state
    return page.render("operator/audit.html", report=state.verify(party), head=state.tree_head(party))


@router.get("/operator/schemes/audit")
def scheme_audit_form(page: PageDep) -> Response:
    """A proposed scheme document to audit."""
    party = operator(page)
    return page.render("operator/scheme_audit.html", kept=page.platform.operator_state.kept_proposals(party))


@router.post("/operator/schemes/audit")
def scheme_audit(page: PageDep, form: FormDep) -> Response:
    """Keep the proposed document under its SHA-256 and show its audit."""
    party = operator(page)
    text = scheme_text(form)
    digest = page.platform.operator_state.propose(party, text)
    return page.redirect(f"/operator/schemes/audit/{digest}")


def scheme_text(form: dict[str, Any]) -> str:
    """The document from the uploaded file, else from the text box: UTF-8 text, bounded."""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = upload.file.read(MAX_SCHEME_BYTES + 1)
        if len(data) > MAX_SCHEME_BYTES:
            raise InputError([Problem(f"a scheme document here is at most {MAX_SCHEME_BYTES} bytes", "file")])
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError([Problem(f"not UTF-8 text (byte {exc.start})", "file", upload.filename[:200])]) from None
    text = form.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError([Problem("choose a scheme file or paste the document", "file")])
    return text


@router.get("/operator/schemes/audit/{digest}")
def scheme_audit_result(
    page: PageDep, digest: str, operated: Annotated[int | None, Query(ge=0, le=1)] = None
) -> Response:
    """A kept proposal's rights audit, located by line and field, and the form that puts it into operation."""
    party = operator(page)
    state = page.platform.operator_state
    proposal = state.proposal(party, digest)
    history = state.operations(party, proposal.get("scheme")) if proposal.get("scheme") else []
    return page.render("operator/scheme_result.html", proposal=proposal, history=history, operated=bool(operated))


@router.post("/operator/schemes/audit/{digest}/operate")
def operate_scheme(page: PageDep, form: FormDep, digest: str) -> Response:
    """Without ``confirm``: what putting the proposal into operation would do, to confirm. With it: put it into
    operation in place of the version the confirmation named (``replaces``), then back to the proposal's page."""
    party = operator(page)
    platform = page.platform
    if posted_text(form, "confirm", limit=8, multiline=False) != "yes":
        preview = platform.operator_state.operation_preview(party, digest)
        return page.render("operator/scheme_operate.html", preview=preview)
    replaces = posted_text(form, "replaces", limit=200, multiline=False)
    platform.put_into_operation(party, digest, replaces=replaces)
    return page.redirect(page.url(f"/operator/schemes/audit/{digest}", operated=1))
