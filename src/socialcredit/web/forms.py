"""Posted form fields, checked as the API checks text, so that a page refuses what the API would refuse."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile

from socialcredit.errors import InputError, Problem

LINE_BREAKS = "\t\n\r"


def posted_text(
    form: dict[str, Any], name: str, *, limit: int = 4000, required: bool = False, multiline: bool = True
) -> str:
    """A posted text field, stripped: at most ``limit`` characters, no NUL or other control character (tabs and
    line breaks only where ``multiline``), valid Unicode, given once. InputError names the field and the value."""
    value = form.get(name)
    if isinstance(value, list):
        raise InputError([Problem("given more than once", name)])
    text = "" if value is None or isinstance(value, UploadFile) else str(value).strip()
    allowed = LINE_BREAKS if multiline else ""
    reason = None
    if required and not text:
        reason = "required"
    elif len(text) > limit:
        reason = f"at most {limit} characters"
    elif any(ord(c) < 32 and c not in allowed for c in text):
        reason = "no NUL or other control characters"
    else:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            reason = "invalid text: not valid Unicode (a lone surrogate is not a character)"
    if reason:
        raise InputError([Problem(reason, name, text[:80].encode("utf-8", "replace").decode("utf-8"))])
    return text
