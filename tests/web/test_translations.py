"""Every message of the portal has its Chinese: extracted with Babel from the templates and the page modules,
as a translator would, and checked against the zh_CN catalogues."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import socialcredit.web
from socialcredit.web.i18n import catalogue_files, translations

WEB = Path(socialcredit.web.__file__).parent
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> dict[str, str]:
    """Each message of the portal -> where it was first found."""
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        WEB, METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        for text in (message,) if isinstance(message, str) else message:
            if text:
                found.setdefault(text, f"{filename}:{lineno}")
    return found


def catalogued() -> dict[str, list[tuple[str, str, bool]]]:
    """Each msgid of the zh_CN catalogues -> (catalogue, translation, fuzzy) for every catalogue that has it."""
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for path in catalogue_files("zh_CN"):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                ids = (message.id,) if isinstance(message.id, str) else message.id
                strings = (message.string,) if isinstance(message.string, str) else message.string
                for msgid in ids:
                    out.setdefault(msgid, []).append((path.name, " ".join(s for s in strings if s), message.fuzzy))
    return out


def test_messages_are_found_in_templates_and_modules() -> None:
    found = extracted()
    assert "Sign in" in found and "Page not found" in found  # one from a template, one from N_() in Python
    assert len(found) > 50


def test_every_message_has_a_chinese_translation() -> None:
    have = catalogued()
    missing = [
        f"{where}: {msgid!r}" for msgid, where in extracted().items() if not any(t for _, t, _ in have.get(msgid, []))
    ]
    assert not missing, "messages without a zh_CN translation:\n" + "\n".join(missing)


def test_no_translation_is_fuzzy_or_given_twice_differently() -> None:
    bad = []
    for msgid, entries in catalogued().items():
        if any(fuzzy for _, _, fuzzy in entries):
            bad.append(f"fuzzy: {msgid!r}")
        if len({t for _, t, _ in entries}) > 1:
            bad.append(f"translated differently in {[c for c, _, _ in entries]}: {msgid!r}")
    assert not bad, "\n".join(bad)


def test_placeholders_survive_translation() -> None:
    import re

    placeholder = re.compile(r"%\((\w+)\)s")
    bad = [
        msgid
        for msgid, entries in catalogued().items()
        for _, text, _ in entries
        if text and sorted(placeholder.findall(msgid)) != sorted(placeholder.findall(text))
    ]
    assert not bad, bad


def test_the_catalogues_compile_and_translate() -> None:
    assert translations("zh_CN").gettext("Sign in") == "登录"
    assert translations("en").gettext("Sign in") == "Sign in"


def test_the_check_would_catch_a_missing_translation(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "x.html").write_text('{{ _("A message nobody translated") }}', encoding="utf-8")
    messages = [m for _, _, m, _, _ in extract_from_dir(tmp_path, METHODS, options_map=OPTIONS, keywords=KEYWORDS)]
    assert messages == ["A message nobody translated"]
    assert "A message nobody translated" not in catalogued()
