"""What the schemes rest on, for anyone to read: the catalogue of record types and the list of measures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from socialcredit.api.deps import PlatformDep
from socialcredit.api.models import Name
from socialcredit.catalogue.measures import ActionEntry, MeasureList
from socialcredit.catalogue.model import Catalogue, RecordTypeEntry

router = APIRouter(tags=["catalogue"])


@router.get("/v1/catalogue", summary="The catalogue of record types")
def catalogue(platform: PlatformDep) -> Catalogue:
    """Every record type the platform may hold (category, competences that issue it, subjects, attributes and
    their shapes, whether adverse, tiers, how long it counts, legal basis), with the catalogue's version and
    sources, the competences, the domains, and the categories, including those never recorded for operation
    with the reason and the rule that forbids them."""
    return platform.public.catalogue()


@router.get("/v1/catalogue/record-types/{record_type}", summary="One record type of the catalogue")
def record_type(record_type: Annotated[Name, Path()], platform: PlatformDep) -> RecordTypeEntry:
    """The catalogue entry of a record type; 404 for one the catalogue does not list."""
    return platform.public.record_type(record_type)


@router.get("/v1/measures", summary="The list of measures")
def measures(platform: PlatformDep) -> MeasureList:
    """Every action a measure may touch (category, domain, the effects allowed, the record categories it may
    follow, the linked subjects it may reach, legal basis), with the list's version, sources and the catalogue
    version it is written for, and the kinds of measure never imposed."""
    return platform.public.measures()


@router.get("/v1/measures/{action}", summary="One action on the list of measures")
def action(action: Annotated[Name, Path()], platform: PlatformDep) -> ActionEntry:
    """The list-of-measures entry of an action; 404 for one the list does not name."""
    return platform.public.action(action)
