"""Portal pages for the public (no sign-in): the published lists and their entries, penalty and licensing
notices, each scheme in operation in plain words, the catalogue and the list of measures, the transparency
figures, and how to object or apply for credit repair."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from socialcredit.errors import NotFound
from socialcredit.scheme.model import Scheme
from socialcredit.service.public_views import division_name
from socialcredit.service.transparency import current_period
from socialcredit.web import wording
from socialcredit.web.i18n import N_
from socialcredit.web.pages import Page, PageDep

router = APIRouter()

PAGE_SIZE = 25
"""Entries or notices on one page."""

Id = Annotated[str, Path(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]
Filter = Annotated[str | None, Query(max_length=64)]

FIGURES: tuple[tuple[str, str], ...] = (
    ("entries_made", N_("Entries made")),
    ("objections_filed", N_("Objections filed")),
    ("objections_upheld", N_("Objections upheld")),
    ("corrections", N_("Corrections")),
    ("repairs_applied", N_("Repairs applied for")),
    ("repairs_granted", N_("Repairs granted")),
)
"""The counts of the transparency page, in the order the table shows them."""

FIELD_LABELS: dict[str, str] = {
    "amount": N_("Amount (yuan)"),
    "fine": N_("Fine (yuan)"),
    "revenue": N_("Revenue (yuan)"),
    "share_of_tax_due": N_("Share of tax due"),
    "case_no": N_("Case number"),
    "citation": N_("Citation"),
    "adjudicated": N_("Adjudicated"),
    "paid": N_("Paid"),
    "points": N_("Points"),
    "ground": N_("Ground"),
    "code": N_("Code"),
    "entity_type": N_("Entity type"),
    "years": N_("Years"),
    "hours": N_("Hours"),
    "facts": N_("Facts"),
    "penalty": N_("Penalty"),
    "confiscated": N_("Confiscated (yuan)"),
    "content": N_("What it permits"),
    "valid_from": N_("Valid from"),
    "valid_until": N_("Valid until"),
}
"""How a notice names the fields its records carry (the catalogue's attribute names); others as named."""


def _helpers(page: Page) -> dict[str, Any]:
    """What the public templates use to put scheme rules into words, in the page's language."""
    language = page.language
    catalogue = page.platform.public.catalogue()
    measures = page.platform.public.measures()

    def titled(record_type: str) -> str:
        return wording.record_title(catalogue, record_type, language)

    return {
        "w": wording,
        "record_title": titled,
        "action_title": lambda action: wording.action_title(measures, action, language),
        "period": lambda value: wording.period(value, language),
        "condition": lambda value: wording.condition(value, language),
        "predicate": lambda value: wording.predicate(value, language, titled),
        "zh": language.code == "zh_CN",
        "division_name": division_name,
    }


def _terms(page: Page, scheme: Scheme, list_id: str) -> dict[str, Any]:
    """A list's exit conditions and remedy as the scheme and the settings set them."""
    settings = page.platform.settings
    return {
        "scheme": scheme,
        "objection_days": page.platform.objection_days(scheme),
        "repair_days": page.platform.repair_working_days(scheme),
        "repair_min_days": settings.repair_min_days.get(list_id, 0),
    }


@router.get("/lists")
def lists(page: PageDep) -> Response:
    """Every published list, and every publication of penalty and licensing notices."""
    platform = page.platform
    periods = {p.id: p.period for s in platform.schemes for p in s.publications}
    return page.render(
        "public/lists.html",
        lists=platform.public_lists(),
        publications=platform.public_publications(),
        periods=periods,
        **_helpers(page),
    )


@router.get("/lists/{list_id}")
def list_entries(
    page: PageDep,
    list_id: Id,
    region: Filter = None,
    authority: Filter = None,
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
) -> Response:
    """A published list's active entries, filtered by region and authority, a page at a time, with the list's
    exit conditions and remedy."""
    platform = page.platform
    scheme, rule = platform.public.list_rule(list_id)
    found = platform.public_entries(list_id, region=region, authority=authority, limit=limit, offset=offset)
    return page.render(
        "public/list.html",
        rule=rule,
        found=found,
        params={"region": found["region"], "authority": found["authority"], "limit": limit},
        **_terms(page, scheme, list_id),
        **_helpers(page),
    )


@router.get("/notices/{publication_id}")
def notices(page: PageDep, publication_id: Id, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> Response:
    """The penalty or licensing notices a publication shows today, a page at a time."""
    platform = page.platform
    publication = next((p for p in platform.public_publications() if p["publication_id"] == publication_id), None)
    if publication is None:
        raise NotFound(f"no publication {publication_id!r}")
    found = platform.public_notices(publication_id, limit=limit, offset=offset)
    period = next(p.period for s in platform.schemes for p in s.publications if p.id == publication_id)
    return page.render(
        "public/notices.html",
        publication=publication,
        publication_period=period,
        found=found,
        params={"limit": limit},
        field_labels=FIELD_LABELS,
        **_helpers(page),
    )


@router.get("/schemes")
def schemes(page: PageDep) -> Response:
    """Each scheme in operation, with its rights audit's counts."""
    return page.render("public/schemes.html", schemes=page.platform.public.schemes())


@router.get("/schemes/{name}")
def scheme(page: PageDep, name: Id) -> Response:
    """A scheme in operation in plain words: its rules, grades, lists, measures, publications, the catalogue
    entries it rests on, and its rights audit."""
    platform = page.platform
    chosen = platform.scheme(name)
    catalogue = platform.public.catalogue()
    entries = [e for t in sorted(chosen.record_types()) if (e := catalogue.entry(t)) is not None]
    return page.render(
        "public/scheme.html",
        s=chosen,
        audit=platform.public.audit(name),
        entries=entries,
        categories={c.id: c for c in catalogue.categories},
        actions={a.action: a for a in platform.public.measures().actions},
        domains={d.id: d for d in catalogue.domains},
        objection_days=platform.objection_days(chosen),
        **_helpers(page),
    )


@router.get("/catalogue")
def catalogue(page: PageDep) -> Response:
    """The catalogue of record types by category, the categories never recorded, and the list of measures
    with the kinds never imposed."""
    public = page.platform.public
    cat = public.catalogue()
    by_category = {c.id: [e for e in cat.record_types if e.category == c.id] for c in cat.categories}
    return page.render(
        "public/catalogue.html",
        cat=cat,
        by_category=by_category,
        competences={c.id: c for c in cat.competences},
        categories={c.id: c for c in cat.categories},
        domains={d.id: d for d in cat.domains},
        measures=public.measures(),
        **_helpers(page),
    )


@router.get("/transparency")
def transparency(page: PageDep, period: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """The figures per list for a year or a month, as a table and as charts, and how to read them."""
    chosen = period or current_period(page.platform.today())
    figures = page.due.figures(chosen)
    rows = figures["lists"]
    figures["last_day"] = date.fromisoformat(figures["until"]) - timedelta(days=1)
    return page.render(
        "public/transparency.html",
        figures=figures,
        period=chosen,
        counts=FIGURES,
        bars_entries=[(r["name"], r["entries_made"]) for r in rows],
        bars_objections=[(r["name"], r["objections_filed"]) for r in rows],
        upheld=[r["objections_upheld"] for r in rows],
        bars_repairs=[(r["name"], r["repairs_applied"]) for r in rows],
        granted=[r["repairs_granted"] for r in rows],
    )


@router.get("/how-to-object")
def how_to_object(page: PageDep) -> Response:
    """For each scheme in operation: how to object and by when it is decided; credit repair per list."""
    platform = page.platform
    settings = platform.settings
    schemes = [
        {
            "scheme": s,
            "objection_days": platform.objection_days(s),
            "repair_days": platform.repair_working_days(s),
            "lists": [(rule, settings.repair_min_days.get(rule.id, 0)) for rule in s.lists],
        }
        for s in platform.schemes
    ]
    return page.render("public/how_to_object.html", schemes=schemes, **_helpers(page))
