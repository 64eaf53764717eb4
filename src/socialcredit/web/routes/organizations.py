"""Portal pages for the public about organizations and persons: search the register by name or Unified Social
Credit Code, an organization's public credit page, and the lookup of a person by full number and name."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from socialcredit.errors import InputError, Problem
from socialcredit.service.registry_views import MAX_QUERY
from socialcredit.web import wording
from socialcredit.web.pages import FormDep, Page, PageDep
from socialcredit.web.session import client_address

router = APIRouter()

PAGE_SIZE = 20
"""Organizations on one page of results."""
MAX_NAME = 100
"""The longest name the lookup form takes."""
MAX_NUMBER = 40
"""The longest identity number the lookup form takes (an 18-character number with spaces, or a passport)."""

Code = Annotated[str, Path(min_length=1, max_length=40)]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]
Q = Annotated[str | None, Query(max_length=MAX_QUERY * 2)]


def _titles(page: Page) -> dict[str, Any]:
    """Record titles in the page's language (the catalogue's Chinese where it has one)."""
    catalogue = page.platform.public.catalogue()
    language = page.language
    return {"record_title": lambda record_type: wording.record_title(catalogue, record_type, language)}


@router.get("/search")
def search(page: PageDep, q: Q = None, offset: Offset = 0) -> Response:
    """Organizations by name or code: results with pagination; a query that cannot be searched says why."""
    if q is None or not q.strip():
        return page.render("organizations/search.html", query="", found=None, problems=[])
    try:
        found = page.platform.registry.search(q, limit=PAGE_SIZE, offset=offset)
    except InputError as exc:
        return page.render("organizations/search.html", status=422, query=q, found=None, problems=exc.problems)
    return page.render("organizations/search.html", query=found["query"], found=found, problems=[])


@router.get("/organizations/{code}")
def organization(page: PageDep, code: Code) -> Response:
    """An organization's public credit page: registration, notices, list entries and published ratings."""
    platform = page.platform
    found = platform.registry.organization(code)
    list_names = {item["list_id"]: item["name"] for item in platform.public_lists()}
    return page.render("organizations/organization.html", org=found, list_names=list_names, **_titles(page))


@router.get("/lookup")
def lookup_form(page: PageDep) -> Response:
    """The person lookup: full number and name, and the lookup's limits."""
    return page.render("organizations/lookup.html", result=None, problems=[], name="")


@router.post("/lookup")
def lookup(page: PageDep, form: FormDep) -> Response:
    """Is this person on a published list? The answer is shown at once, not after a redirect: a result carried
    in an address could be forged, and the full number must not travel in one. The number is never echoed back
    in full."""
    number, name = form.get("subject_id"), form.get("name")
    problems = _lookup_problems(number, name)
    if problems:
        return page.render("organizations/lookup.html", status=422, result=None, problems=problems, name="")
    assert isinstance(number, str) and isinstance(name, str)
    try:
        result = page.platform.public_lookup(
            page.party, number.strip(), name=name.strip(), client=client_address(page.request)
        )
    except InputError as exc:
        # The reason only: a problem's value would repeat the number as typed.
        shown = [Problem(p.reason, p.field or "subject_id") for p in exc.problems]
        return page.render("organizations/lookup.html", status=422, result=None, problems=shown, name="")
    platform = page.platform
    list_names = {item["list_id"]: item["name"] for item in platform.public_lists()}
    return page.render(
        "organizations/lookup.html",
        result=result,
        problems=[],
        name="",
        list_names=list_names,
        authority_names=platform.public.authority_names(),
    )


def _lookup_problems(number: Any, name: Any) -> list[Problem]:
    """What is wrong with the form before the service is asked (nothing is repeated back)."""
    problems = []
    if not isinstance(number, str) or not number.strip():
        problems.append(Problem("enter the full identity number", "subject_id"))
    elif len(number) > MAX_NUMBER or not number.isprintable():
        problems.append(Problem(f"expected an identity number of at most {MAX_NUMBER} characters", "subject_id"))
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("enter the person's name as on the identity document", "name"))
    elif len(name) > MAX_NAME or not name.isprintable() or any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        problems.append(Problem(f"expected a name of at most {MAX_NAME} characters", "name"))
    return problems
