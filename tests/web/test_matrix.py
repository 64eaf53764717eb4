"""The portal's role matrix: every page the portal installs × every kind of reader × their own object or another
party's, with the answer each must get; every form refused without its CSRF value, to the wrong role and across
parties, changing nothing; and no page showing a full resident identity number to anyone but its holder (and the
reviewer deciding that holder's case).

The portal's answers are the service's, so they mirror the API's matrix (tests/api/test_authorization_matrix.py):

- the public on a private page is sent to sign in (a page: 303 to ``/sign-in?next=…``; a form: 401);
- a reader of another role is refused: 403, in the refusal log;
- another subject's case, decision or own report is 403, as the API answers ``GET /v1/cases/{ref}`` and
  ``GET /v1/explanations/{ref}`` (a missing one is 404: the API tells them apart too);
- another subject's record or list entry, to object to or to repair, is 404 ("not found among yours"), as the API
  answers ``POST /v1/objections`` and ``POST /v1/repairs``;
- another clerk's upload or receipt and another provider's decision are 404, the same answer as for one that does
  not exist (the service does not tell them apart; the API has no such objects).

One exception is kept as it is: the public asking for a subject's own report by its reference
(``/reports/{ref}.pdf``) is refused 403 rather than sent to sign in, since the same address serves organizations'
reports to anyone and the service answers for the file (tests/web/test_reports.py holds it).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from pypdf import PdfReader
from sqlalchemy import func, select
from stdnum.cn import ric

from socialcredit.authorities import Authority
from socialcredit.scheme.registry import shipped_text
from socialcredit.service.parties import Party, Role, add_party, issue_token
from socialcredit.service.public_views import mask_subject
from socialcredit.tables.base import Base
from socialcredit.tables.service import cases_table
from socialcredit.web.templating import shown_detail
from tests.api.conftest import ACME, ALICE, BOB, SHANGHAI_PERSON, record_target
from tests.web.conftest import Portal, Reader

LIST = "dishonest-judgment-debtors"
BASIS = "SPC Provisions (法释〔2017〕7号) Art. 1"
HEADER = "record_id,subject_id,type,occurred_at,case_no,ground,legal_basis\n"

READERS: dict[str, str | None] = {
    "anonymous": None,
    "public": "citizen",
    "subject": "alice",
    "other-subject": "bob",
    "reviewer": "reviewer",
    "authority": "court",
    "other-authority": "sh-court",
    "operator": "operator",
    "provider": "seller",
    "other-provider": "portal",
}
"""Who reads, and the party of the API tests' world each is. The objects of the fixture are the subject's (Alice),
the authority's (the Rongcheng court) and the provider's (the ticket seller); the "other" readers reach for them."""

NUMBER_OF = {"alice": ALICE, "bob": BOB}

OK = 200
GO = "redirect"
"""303 to another page of the site (not the sign-in page)."""
SIGN_IN = "sign in"
"""The public sent to sign in: a page read redirects to /sign-in?next=…; a posted form is answered 401."""
FORBIDDEN = 403
NOT_FOUND = 404
REFUSED_INPUT = 422

Outcome = int | str


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    """The same answer for every reader."""
    return dict.fromkeys(READERS, outcome)


def private(**allowed: Outcome) -> dict[str, Outcome]:
    """A page of some roles: the public sent to sign in, every other reader refused, those named as given
    (``other_subject=…`` names the reader "other-subject")."""
    out: dict[str, Outcome] = {reader: FORBIDDEN for reader in READERS}
    out["anonymous"] = SIGN_IN
    out.update({name.replace("_", "-"): outcome for name, outcome in allowed.items()})
    return out


@dataclass(frozen=True)
class Row:
    """One route of the portal asked for one object, and what each reader gets."""

    method: str
    route: str
    """The route's path as the application declares it."""
    url: str
    """What is asked, with ``{names}`` of the objects fixture."""
    expected: dict[str, Outcome]
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None
    own_number: bool = False
    """The reader's own identity number may be shown (a subject's own pages)."""
    case_subject: bool = False
    """The reviewer may see the number of the case's subject (the case page)."""
    fresh_reader: bool = False
    """Asked by a browser of its own (signing out would sign the shared one out)."""

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.route

    def label(self) -> str:
        return f"{self.method} {self.url}"


def get(route: str, expected: dict[str, Outcome], url: str | None = None, **kw: Any) -> Row:
    return Row("GET", route, url or route, expected, **kw)


def post(route: str, expected: dict[str, Outcome], url: str | None = None, **kw: Any) -> Row:
    return Row("POST", route, url or route, expected, **kw)


SUBJECT = {"subject": OK, "other_subject": OK}
CLERK = {"authority": OK, "other_authority": OK}
PROVIDER = {"provider": OK, "other_provider": OK}

PAGES: list[Row] = [
    # Every reader's.
    get("/", everyone(OK)),
    get("/language", everyone(GO), "/language?to=en&next=/lists"),
    get("/sign-in", everyone(OK)),
    get("/lists", everyone(OK)),
    get("/lists/{list_id}", everyone(OK), f"/lists/{LIST}"),
    get("/notices/{publication_id}", everyone(OK), "/notices/market-penalties"),
    get("/schemes", everyone(OK)),
    get("/schemes/{name}", everyone(OK), "/schemes/rongcheng"),
    get("/catalogue", everyone(OK)),
    get("/transparency", everyone(OK)),
    get("/how-to-object", everyone(OK)),
    get("/search", everyone(OK), "/search?q={acme}"),
    get("/organizations/{code}", everyone(OK), "/organizations/{acme}"),
    get("/organizations/{code}/report.pdf", everyone(OK), "/organizations/{acme}/report.pdf"),
    get("/lookup", everyone(OK)),
    get("/verify", everyone(OK)),
    get("/verify/{reference}", everyone(OK), "/verify/{report}"),
    get("/verify/{reference}", everyone(OK), "/verify/{org_report}"),
    get("/reports/{reference}.pdf", everyone(OK), "/reports/{org_report}.pdf"),
    # The operator's (before the pages that refuse the operator, so that the refusal log's first page still holds
    # the fixture's refusal that names Alice).
    get("/operator", private(operator=OK)),
    get("/operator/audit", private(operator=OK)),
    get("/operator/schemes/audit", private(operator=OK)),
    get("/operator/schemes/audit/{digest}", private(operator=OK), "/operator/schemes/audit/{digest}"),
    # The subject's own (another subject's object: 403 as the API's, an item to object to: 404 as the API's).
    get("/me", private(**SUBJECT), own_number=True),
    get("/me/records", private(**SUBJECT), own_number=True),
    get("/me/notices", private(**SUBJECT), own_number=True),
    get("/me/access-log", private(**SUBJECT), own_number=True),
    get("/me/decisions", private(**SUBJECT), own_number=True),
    get("/me/file.json", private(**SUBJECT), own_number=True),
    get("/me/cases", private(**SUBJECT), own_number=True),
    get("/me/report.pdf", private(**SUBJECT), own_number=True),
    get("/me/decisions/{reference}", private(subject=OK), "/me/decisions/{decision}", own_number=True),
    get(
        "/me/decisions/{reference}",
        private(subject=NOT_FOUND, other_subject=NOT_FOUND),
        "/me/decisions/{missing_decision}",
        own_number=True,
    ),
    get("/me/cases/{reference}", private(subject=OK), "/me/cases/{case}", own_number=True),
    get(
        "/me/cases/{reference}",
        private(subject=NOT_FOUND, other_subject=NOT_FOUND),
        "/me/cases/{missing_case}",
        own_number=True,
    ),
    get(
        "/me/object",
        private(subject=OK, other_subject=NOT_FOUND),
        "/me/object?kind=record&scheme=judgment-debtors&authority=RC-COURT&record_id={debt}",
        own_number=True,
    ),
    get(
        "/me/repair",
        private(subject=OK, other_subject=NOT_FOUND),
        f"/me/repair?scheme=judgment-debtors&list_id={LIST}&key=C1",
        own_number=True,
    ),
    get(
        "/reports/{reference}.pdf",
        {**private(subject=OK), "anonymous": FORBIDDEN},
        "/reports/{report}.pdf",
        own_number=True,
    ),
    # The reviewer's.
    get("/review", private(reviewer=OK)),
    get("/review/cases/{reference}", private(reviewer=OK), "/review/cases/{case}", case_subject=True),
    get("/review/cases/{reference}", private(reviewer=NOT_FOUND), "/review/cases/{missing_case}"),
    # The authority's (another clerk's upload or receipt is not found, as one that does not exist).
    get("/authority", private(**CLERK)),
    get("/authority/upload", private(**CLERK)),
    get("/authority/lists", private(**CLERK)),
    get("/authority/submitted", private(**CLERK)),
    get("/authority/upload/{upload_id}", private(authority=OK, other_authority=NOT_FOUND), "/authority/upload/{kept}"),
    get(
        "/authority/upload/{upload_id}",
        private(authority=NOT_FOUND, other_authority=NOT_FOUND),
        "/authority/upload/{missing_upload}",
    ),
    get(
        "/authority/receipts/{receipt_id}",
        private(authority=OK, other_authority=NOT_FOUND),
        "/authority/receipts/{receipt}",
    ),
    # The provider's (another provider's decision is not found, as one that does not exist).
    get("/provider", private(**PROVIDER)),
    get(
        "/provider/decisions/{reference}",
        private(provider=OK, other_provider=NOT_FOUND),
        "/provider/decisions/{decision}",
    ),
]

FORMS: list[Row] = [
    post("/sign-in", everyone(SIGN_IN), form={"token": "not-a-token"}),  # an unknown token: 401, whoever sends it
    post("/sign-out", everyone(GO), fresh_reader=True),
    post("/lookup", everyone(OK), form={"subject_id": ALICE, "name": "张三"}),
    post("/verify", everyone(GO), form={"reference": "{org_report}"}),
    post(
        "/me/object",
        private(subject=GO, other_subject=NOT_FOUND),
        form={
            "kind": "record",
            "scheme": "judgment-debtors",
            "authority": "RC-COURT",
            "record_id": "{debt}",
            "statement": "I paid this debt in May.",
        },
    ),
    post(
        "/me/repair",
        private(subject=GO, other_subject=NOT_FOUND),
        form={
            "scheme": "judgment-debtors",
            "list_id": LIST,
            "key": "C1",
            "obligation_performed": "yes",
            "commitment": "I will honour judgments.",
        },
    ),
    post(
        "/review/cases/{reference}/decision",
        private(reviewer=GO),
        "/review/cases/{case}/decision",
        form={"outcome": "rejected", "reasons": "The judgment stands as recorded."},
    ),
    post(
        "/authority/upload",
        private(authority=GO, other_authority=GO),
        form={"source": "July"},
        files={
            "file": (
                "july.csv",
                (HEADER + f"J-1,{BOB},court.dishonest_listing,2026-06-01,J1,1,{BASIS}\n").encode(),
                "text/csv",
            )
        },
    ),
    post(
        "/authority/upload/{upload_id}/commit",
        private(authority=GO, other_authority=NOT_FOUND),
        "/authority/upload/{kept}/commit",
    ),
    post(
        "/authority/upload/{upload_id}/discard",
        private(authority=GO, other_authority=NOT_FOUND),
        "/authority/upload/{to_discard}/discard",
    ),
    post(
        "/authority/lists/{list_id}/{step}",
        private(authority=GO, other_authority=REFUSED_INPUT),  # Alice is outside the Shanghai court's jurisdiction
        f"/authority/lists/{LIST}/exit",
        form={
            "record_id": "WEB-EXIT-1",
            "type": "court.obligation_performed",
            "subject_id": ALICE,
            "attr_case_no": "C1",
            "occurred_at": "2026-06-20",
            "legal_basis": BASIS,
            "source_ref": "performed in full",
        },
    ),
    post("/operator/outbox/send", private(operator=GO)),
    post("/operator/schemes/audit", private(operator=GO), form={"text": "{scheme_text}"}),
    post(
        "/operator/schemes/audit/{digest}/operate",
        private(operator=OK),  # without a confirmation: what putting it into operation would do
        "/operator/schemes/audit/{digest}/operate",
    ),
    post(
        "/provider/decide",
        private(provider=GO, other_provider=FORBIDDEN),  # not one of the procurement portal's actions
        form={"subject_id": ALICE, "action": "buy_air_ticket"},
    ),
]

MATRIX = PAGES + FORMS


# -- the portal's routes, from the application -------------------------------------------------------------------


def portal_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the portal installed (its endpoints are the portal's own)."""
    found = set()
    for route in iter_route_contexts(app.routes):
        endpoint = route.endpoint
        if endpoint is None or not endpoint.__module__.startswith("socialcredit.web."):
            continue
        assert route.include_in_schema is False, f"{route.path} is in the API's schema"
        found |= {(method, str(route.path)) for method in route.methods or () if method != "HEAD"}
    return found


def test_every_portal_route_has_a_row(portal: Portal) -> None:
    routes = portal_routes(portal.world.client.app)
    assert len(routes) > 50
    rows = {row.key for row in MATRIX}
    missing = [f"page {method} {path} has no row in the matrix" for method, path in sorted(routes - rows)]
    stale = [f"the row {method} {path} names no route of the portal" for method, path in sorted(rows - routes)]
    assert missing + stale == []
    for row in MATRIX:
        assert set(row.expected) == set(READERS), row.label()


# -- the objects ------------------------------------------------------------------------------------------------


def kept_upload(clerk: Reader, body: str, name: str) -> str:
    response = clerk.post("/authority/upload", {"source": name}, files={"file": (name, body.encode(), "text/csv")})
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def listing_row(record_id: str, subject: str, case_no: str) -> str:
    return f"{record_id},{subject},court.dishonest_listing,2026-06-01,{case_no},1,{BASIS}\n"


@pytest.fixture
def objects(portal: Portal) -> dict[str, str]:
    """Alice listed (under a published name), with a debt judgment to object to and an older judgment she objected
    to (her case), and a record about her the Shanghai court may not submit (refused, logged); a decision about her
    served to the ticket seller; her own report and ACME's (its legal representative Bob); a market penalty on Bob,
    published; the court's committed upload (its receipt), one kept
    and one to discard; a proposed scheme the operator keeps."""
    w = portal.world
    w.submit(
        "registry",
        {
            "record_id": "ACME-REG",
            "subject_id": ACME,
            "type": "registry.registered",
            "occurred_at": "2019-03-01",
            "attributes": {"name": "荣成示例科技有限公司", "entity_type": "有限责任公司"},
            "legal_basis": "Regulation on the Administration of Market Entity Registration (2021), Art. 3",
        },
        {
            "record_id": "ACME-REP",
            "subject_id": ACME,
            "type": "registry.legal_representative",
            "occurred_at": "2019-03-01",
            "attributes": {"person_id": BOB},
            "legal_basis": "Regulation on the Administration of Market Entity Registration (2021), Art. 8",
        },
    )
    listing = w.listing(ALICE, "C1")
    listing["attributes"]["name"] = "张三"
    w.submit("court", listing, w.listing(BOB, "B1"))
    judgment = {"occurred_at": "2026-06-10", "legal_basis": "Civil Procedure Law", "attributes": {"amount": 100}}
    w.submit(
        "court",
        {"record_id": "alice-debt", "subject_id": ALICE, "type": "court.unpaid_debt_judgment", **judgment},
        {"record_id": "alice-old", "subject_id": ALICE, "type": "court.unpaid_debt_judgment", **judgment},
    )
    market = Authority("RC-MARKET", "Rongcheng market supervision", "371082", ("commerce.*",))
    w.store.add_authority(market)
    add_party(w.store, Party("market", Role.AUTHORITY, "Market clerk", authority="RC-MARKET"))
    w.tokens["market"] = issue_token(w.store, "market")
    w.submit(
        "market",
        {
            "record_id": "M-1",
            "subject_id": BOB,
            "type": "commerce.counterfeit_goods",
            "occurred_at": "2026-05-01",
            "attributes": {"decision_no": "荣市监罚〔2026〕3号", "fine": 5000, "violation": "counterfeit goods"},
            "legal_basis": "Product Quality Law, Art. 50",
        },
    )
    # Refused, and in the refusal log with Alice's number: outside the Shanghai court's jurisdiction.
    refused = {"record_id": "SH-1", "subject_id": ALICE, "type": "court.unpaid_debt_judgment", **judgment}
    w.submit("sh-court", refused, status=422)
    target = record_target("RC-COURT", "alice-old")
    case = w.object_to("alice", "judgment-debtors", target, "this judgment was set aside")["reference"]
    decision = w.decide("seller", ALICE)["reference"]
    report = portal.reader("alice").get("/me/report.pdf").headers["x-report-reference"]
    org_report = portal.reader().get(f"/organizations/{ACME}/report.pdf").headers["x-report-reference"]
    clerk = portal.reader("court")
    receipt = kept_upload(clerk, HEADER + listing_row("U-1", ALICE, "U1") + listing_row("U-2", BOB, "U2"), "june.csv")
    assert clerk.post(f"/authority/upload/{receipt}/commit").status_code == 303
    kept = kept_upload(clerk, HEADER + listing_row("U-3", ALICE, "U3") + listing_row("U-4", BOB, "U4"), "kept.csv")
    to_discard = kept_upload(clerk, HEADER + listing_row("U-5", BOB, "U5"), "other.csv")
    proposed = portal.reader("operator").post("/operator/schemes/audit", {"text": shipped_text("rongcheng")})
    assert proposed.status_code == 303
    return {
        "acme": ACME,
        "case": case,
        "case_subject": ALICE,
        "missing_case": "OBJ-" + "F" * 16,
        "decision": decision,
        "missing_decision": "D-" + "F" * 16,
        "report": report,
        "org_report": org_report,
        "debt": "alice-debt",
        "receipt": receipt,
        "kept": kept,
        "to_discard": to_discard,
        "missing_upload": "UP-" + "F" * 32,
        "digest": proposed.headers["location"].rsplit("/", 1)[1],
        "scheme_text": shipped_text("judgment-debtors"),
    }


# -- asking, and what was answered -------------------------------------------------------------------------------


def outcome_of(method: str, response: Response) -> Outcome:
    if response.status_code == 303:
        target = response.headers["location"]
        return SIGN_IN if target.startswith("/sign-in?next=") else GO
    if response.status_code == 401 and method == "POST":
        return SIGN_IN
    return response.status_code


def new_reader(portal: Portal, who: str | None) -> Reader:
    """A browser of its own, signed in as ``who``."""
    reader = Reader(TestClient(portal.world.client.app, follow_redirects=False))
    if who is not None:
        assert reader.post("/sign-in", {"token": portal.world.tokens[who]}).status_code == 303
    return reader


def ask(portal: Portal, row: Row, who: str | None, objects: dict[str, str], *, csrf: bool = True) -> Response:
    reader = new_reader(portal, who) if row.fresh_reader else portal.reader(who)
    url = row.url.format(**objects)
    if row.method == "GET":
        return reader.get(url)
    form = {name: value.format(**objects) for name, value in row.form.items()}
    if csrf:
        return reader.post(url, form, files=row.files)
    reader.csrf()  # the browser has the cookie; the form lacks the value
    return reader.client.post(url, data=form, files=row.files)


CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
KNOWN = (ALICE, BOB, SHANGHAI_PERSON)


def text_of(response: Response) -> str:
    """What the reader is given: the body (a PDF's text) and the headers."""
    if response.headers.get("content-type", "").startswith("application/pdf"):
        body = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    else:
        body = response.text
    return body + "\n" + "\n".join(response.headers.values())


def numbers_in(response: Response) -> set[str]:
    """The full resident identity numbers a response shows: any 18 characters that are a valid one (so masked
    forms do not count), and the world's persons' numbers even where a PDF's line breaks split them."""
    text = text_of(response)
    found = {m.upper() for m in CANDIDATE.findall(text) if ric.is_valid(m)}
    flat = "".join(text.split())
    return found | {number for number in KNOWN if number in flat}


def allowed_numbers(row: Row, reader: str, objects: dict[str, str]) -> set[str]:
    """Whose number this reader may see on this page: its own on its own pages; the case's subject's on the case
    page of the reviewer deciding it."""
    allowed = set()
    who = READERS[reader]
    if row.own_number and who in NUMBER_OF:
        allowed.add(NUMBER_OF[who])
    if row.case_subject and reader == "reviewer":
        allowed.add(objects["case_subject"])
    return allowed


def state(portal: Portal) -> dict[str, Any]:
    """What a form could change: the rows of every table but the logs of reads and refusals (and the audit leaves
    a read adds), each case's status, and the uploads kept."""
    platform = portal.world.client.app.state.portal.platform
    logs = {"access_log", "public_lookups", "audit_leaves", "audit_checkpoints", "audit_state", "tokens"}
    with platform.context.read() as conn:
        counts = {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
            if name not in logs
        }
        cases = sorted(conn.execute(select(cases_table.c.reference, cases_table.c.status)).all())
    folder = platform.uploads.folder
    kept = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    return {"rows": counts, "cases": cases, "uploads": kept}


def latest_refusal(portal: Portal) -> dict[str, Any]:
    items = portal.world.ok("operator", "GET", "/v1/operator/refusals", params={"limit": 1})["items"]
    assert items
    return items[0]


# -- the matrix --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", list(READERS))
def test_every_page_answers_each_reader_as_the_matrix_says_and_shows_no_one_elses_number(
    portal: Portal, objects: dict[str, str], reader: str
) -> None:
    who = READERS[reader]
    wrong, leaks = [], []
    for row in PAGES:
        response = ask(portal, row, who, objects)
        got = outcome_of("GET", response)
        if got != row.expected[reader]:
            wrong.append(f"{row.label()} as {reader}: expected {row.expected[reader]}, got {got}")
        if response.status_code == 303 and got == SIGN_IN:
            assert response.headers["location"] == "/sign-in?next=" + row.url.format(**objects).split("?")[0]
        shown = numbers_in(response) - allowed_numbers(row, reader, objects)
        if shown:
            leaks.append(f"{row.label()} as {reader} ({response.status_code}) shows {sorted(shown)}")
    assert wrong + leaks == []


@pytest.mark.parametrize("reader", list(READERS))
def test_every_form_is_refused_without_csrf_to_other_roles_and_across_parties_changing_nothing(
    portal: Portal, objects: dict[str, str], reader: str
) -> None:
    who = READERS[reader]
    wrong, leaks = [], []
    for row in FORMS:
        before = state(portal)
        forged = ask(portal, row, who, objects, csrf=False)
        if forged.status_code != 403 or state(portal) != before:
            wrong.append(f"{row.label()} as {reader} without CSRF: {forged.status_code}, or something changed")
        elif latest_refusal(portal)["action"] != "form.csrf":
            wrong.append(f"{row.label()} as {reader} without CSRF: not in the refusal log")
        response = ask(portal, row, who, objects)
        got = outcome_of("POST", response)
        if got != row.expected[reader]:
            wrong.append(
                f"{row.label()} as {reader}: expected {row.expected[reader]}, got {got}: {response.text[:300]}"
            )
        if response.status_code >= 400 and state(portal) != before:
            wrong.append(f"{row.label()} as {reader} was refused ({response.status_code}) but changed the store")
        if response.status_code == 403 and latest_refusal(portal)["party"] != (who or "anonymous"):
            wrong.append(f"{row.label()} as {reader}: the refusal is not in the refusal log")
        shown = numbers_in(response) - allowed_numbers(row, reader, objects)
        if shown:
            leaks.append(f"{row.label()} as {reader} ({response.status_code}) shows {sorted(shown)}")
    assert wrong + leaks == []


def form_of(route: str) -> Row:
    return next(row for row in FORMS if row.route == route)


TWINS: list[tuple[str, Row, str, str, dict[str, Any] | None]] = [
    # (reader, the portal's page or form, the API's method and path for the same object, the API's body)
    ("subject", get("", {}, "/me/cases/{case}"), "GET", "/v1/cases/{case}", None),
    ("other-subject", get("", {}, "/me/cases/{case}"), "GET", "/v1/cases/{case}", None),
    ("subject", get("", {}, "/me/cases/{missing_case}"), "GET", "/v1/cases/{missing_case}", None),
    ("reviewer", get("", {}, "/review/cases/{case}"), "GET", "/v1/cases/{case}", None),
    ("subject", get("", {}, "/me/decisions/{decision}"), "GET", "/v1/explanations/{decision}", None),
    ("other-subject", get("", {}, "/me/decisions/{decision}"), "GET", "/v1/explanations/{decision}", None),
    ("subject", get("", {}, "/me/decisions/{missing_decision}"), "GET", "/v1/explanations/{missing_decision}", None),
    (
        "other-subject",
        form_of("/me/object"),
        "POST",
        "/v1/objections",
        {
            "scheme": "judgment-debtors",
            "statement": "not mine",
            "target": {"kind": "record", "authority": "RC-COURT", "record_id": "alice-debt"},
        },
    ),
    (
        "other-subject",
        form_of("/me/repair"),
        "POST",
        "/v1/repairs",
        {
            "scheme": "judgment-debtors",
            "list_id": LIST,
            "key": "C1",
            "obligation_performed": True,
            "commitment": "I will honour judgments.",
        },
    ),
    (
        "subject",
        form_of("/review/cases/{reference}/decision"),
        "POST",
        "/v1/cases/{case}/decision",
        {"outcome": "upheld", "reasons": "mine"},
    ),
    (
        "other-provider",
        form_of("/provider/decide"),
        "POST",
        "/v1/decisions/one",
        {"subject_id": ALICE, "action": "buy_air_ticket"},
    ),
]
"""The same object asked of the portal and of the API: the same answer (the portal's own words for a refusal)."""


@pytest.mark.parametrize(("reader", "row", "method", "path", "body"), TWINS, ids=[f"{t[0]}-{t[1].url}" for t in TWINS])
def test_the_portal_answers_as_the_api_does_for_the_same_object(
    portal: Portal, objects: dict[str, str], reader: str, row: Row, method: str, path: str, body: Any
) -> None:
    who = READERS[reader]
    answer = portal.world.call(who, method, path.format(**objects), json=body)
    before = state(portal)
    assert ask(portal, row, who, objects).status_code == answer.status_code
    if answer.status_code >= 400:
        assert state(portal) == before


@pytest.fixture
def organization_case(portal: Portal, objects: dict[str, str]) -> str:
    """ACME's account objects to the record naming its legal representative (Bob)."""
    target = record_target("RC-REGISTRY", "ACME-REP")
    return str(portal.world.object_to("acme-1", "judgment-debtors", target, "he left in 2025")["reference"])


ORGANIZATION_PAGES = [
    "/me",
    "/me/records",
    "/me/decisions",
    "/me/cases",
    "/me/cases/{case}",
    "/me/object?kind=record&scheme=judgment-debtors&authority=RC-REGISTRY&record_id=ACME-REP",
    "/me/report.pdf",
]


def test_an_organizations_pages_and_its_reviewer_show_its_legal_representatives_number_masked(
    portal: Portal, organization_case: str
) -> None:
    """The record naming a legal representative is the organization's, the number in it the person's: the
    organization's account and the reviewer deciding the organization's case see it masked, as the public page
    shows it. (The JSON download is the API's file, byte for byte, and keeps what the API gives.)"""
    account, reviewer = portal.reader("acme-1"), portal.reader("reviewer")
    pages = [(account, path.format(case=organization_case)) for path in ORGANIZATION_PAGES]
    pages.append((reviewer, f"/review/cases/{organization_case}"))
    for reader, path in pages:
        response = reader.get(path)
        assert response.status_code == 200, path
        assert numbers_in(response) == set(), path
    for reader, path in ((account, "/me/records"), (reviewer, f"/review/cases/{organization_case}")):
        assert mask_subject(BOB) in reader.get(path).text, path


def test_the_refusal_log_shows_a_refused_subjects_number_masked(portal: Portal, objects: dict[str, str]) -> None:
    """The fixture's refused record names Alice in its detail; the operator sees the detail with the number
    masked (the API's refusal log keeps it whole, for the operator's tools)."""
    details = [r["detail"] for r in portal.world.ok("operator", "GET", "/v1/operator/refusals")["items"]]
    assert any(ALICE in d for d in details)
    page = portal.reader("operator").get("/operator")
    assert page.status_code == 200
    assert numbers_in(page) == set() and mask_subject(ALICE) in page.text


def test_the_detail_filter_masks_a_persons_number_and_nothing_else() -> None:
    invalid = ALICE[:-1] + ("0" if ALICE[-1] != "0" else "1")
    text = f"value '{ALICE}', code {ACME}, case (2026)鲁1082执1号, number {invalid}, {ALICE}1"
    assert (
        shown_detail(text)
        == f"value '{mask_subject(ALICE)}', code {ACME}, case (2026)鲁1082执1号, number {invalid}, {ALICE}1"
    )
    assert shown_detail(BOB) == mask_subject(BOB) and shown_detail(5000) == 5000 and shown_detail(None) is None
