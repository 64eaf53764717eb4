"""The portal's two languages: Simplified Chinese and English, from Babel message catalogues.

Messages are written in English in the templates and the page modules (``_("...")`` in a template, ``N_("...")``
in Python for text translated when rendered). Their Chinese is in ``locales/zh_CN/LC_MESSAGES/*.po``, one
catalogue per part of the portal, merged when the portal starts; English needs none. A test extracts every
message with Babel and fails when one lacks its translation (``tests/web/test_translations.py``).

A page's language is the one the reader chose with the switch on every page (a cookie), else the first of their
``Accept-Language`` that the portal speaks, else Chinese.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from socialcredit.dates import CHINA_STANDARD_TIME

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT = "zh_CN"
LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
"""The portal's languages, each named in itself (what the switch shows)."""
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
LANGUAGE_COOKIE = "sc_lang"


def N_(message: str) -> str:
    """Marks ``message`` for extraction; it is translated where it is shown."""
    return message


def catalogue_files(locale: str) -> list[Path]:
    """The message catalogues of ``locale``, one per part of the portal."""
    return sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po"))


@cache
def translations(locale: str) -> NullTranslations:
    """The merged, compiled catalogues of ``locale`` (English: the messages as written)."""
    merged: NullTranslations | None = None
    for path in catalogue_files(locale):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        loaded = Translations(buffer, domain="messages")
        if merged is None:
            merged = loaded
        else:
            assert isinstance(merged, Translations)
            merged.merge(loaded)
    return merged or NullTranslations()


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags of an ``Accept-Language`` header, most wanted first (``q=0`` left out)."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The page's language: ``chosen`` (the switch's cookie) if the portal speaks it, else the best match of
    ``accept_language``, else Chinese."""
    if chosen in LANGUAGES:
        return chosen
    for tag in parse_accept_language(accept_language):
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary == "zh":
            # Traditional-script readers are better served by Simplified Chinese than by English here.
            return "zh_CN"
        if primary == "en":
            return "en"
    return DEFAULT


@cache
def _locale(code: str) -> Locale:
    """Babel's locale of a language code, parsed once: parsing looks the locale up among Babel's data files
    (about 0.2 ms), and a page formats dozens of days and numbers."""
    return Locale.parse(code)


@dataclass(frozen=True)
class Language:
    """What a page in one language needs: its translations and how it writes dates and numbers."""

    code: str

    @property
    def html_lang(self) -> str:
        """The page's ``lang`` attribute."""
        return HTML_LANG[self.code]

    @property
    def locale(self) -> Locale:
        """Babel's locale."""
        return _locale(self.code)

    def gettext(self, message: str) -> str:
        """``message`` in this language."""
        return translations(self.code).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form of ``singular``/``plural`` for ``n``, in this language."""
        return translations(self.code).ngettext(singular, plural, n)

    def day(self, value: date | str | None) -> str:
        """A day as this language writes it (2026年6月30日, 30 June 2026); empty for none."""
        if value is None or value == "":
            return ""
        day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
        return format_date(day, format="long" if self.code == "zh_CN" else "d MMMM y", locale=self.locale)

    def moment(self, value: datetime | str | None) -> str:
        """An instant in China Standard Time, to the minute."""
        if value is None or value == "":
            return ""
        instant = datetime.fromisoformat(value) if isinstance(value, str) else value
        pattern = "y年M月d日 HH:mm" if self.code == "zh_CN" else "d MMMM y, HH:mm"
        return format_datetime(instant.astimezone(CHINA_STANDARD_TIME), pattern, locale=self.locale)

    def number(self, value: float | int | None) -> str:
        """A number with this language's grouping; empty for none."""
        if value is None:
            return ""
        return format_decimal(value, locale=self.locale)


def languages() -> Iterable[Language]:
    """Every language of the portal."""
    return (Language(code) for code in LANGUAGES)
