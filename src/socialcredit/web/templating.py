"""The portal's templates: one Jinja2 environment per language, autoescaped, with Babel's translations
installed, so that ``_()`` and ``{% trans %}`` render in the page's language."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

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
    return env
