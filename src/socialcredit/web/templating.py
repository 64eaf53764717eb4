"""The portal's templates: one Jinja2 environment per language, autoescaped, with Babel's translations
installed, so that ``_()`` and ``{% trans %}`` render in the page's language."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from socialcredit.errors import InputError
from socialcredit.ids import SubjectKind, parse_subject_id
from socialcredit.service.public_views import mask_subject
from socialcredit.web.i18n import LANGUAGES, translations

TEMPLATES_DIR = Path(__file__).parent / "templates"


@cache
def environment(language: str) -> Environment:
    """The environment for ``language`` (a code of :data:`~socialcredit.web.i18n.LANGUAGES`)."""
    if language not in LANGUAGES:
        raise ValueError(f"the portal does not speak {language!r}")
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "svg"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["detail"] = shown_detail
    return env


NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9A-Z]{17}[0-9X](?![0-9A-Za-z])")
"""What may be an 18-character identity number (or a credit code) inside a text."""


def shown_detail(value: Any) -> Any:
    """A value as a page shows it (the ``detail`` filter): a person's identity number in it (a legal
    representative's in a record, a subject's in a refusal's detail) masked as the published lists show it, since
    no page shows a full number but to its holder, whose own is in the page's heading; an organization's code and
    anything else as it is."""
    if not isinstance(value, str):
        return value
    return NUMBER.sub(lambda found: _masked(found.group()), value)


def _masked(text: str) -> str:
    try:
        subject = parse_subject_id(text, field="detail")
    except InputError:
        return text
    return mask_subject(text) if subject.kind is SubjectKind.PERSON else text
