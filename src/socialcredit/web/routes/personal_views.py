"""What the personal file's and the reviewer's pages make of the service's answers: the score over time as a
chart, the titles of record types and actions in the page's language, the item an objection is about, and
the checks a form's own text gets before it goes to the service.

Nothing here reads the store: every value comes from an answer of the service layer the route asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup

from socialcredit.errors import InputError, NotFound, Problem
from socialcredit.service.platform import Platform
from socialcredit.service.public_views import mask_subject
from socialcredit.web import charts
from socialcredit.web.i18n import N_, Language

STATEMENT_LIMIT = 4000
"""The longest statement, commitment or reasons a form takes (what the API takes, what a case stores)."""
REFERENCE_LIMIT = 40
KINDS = ("record", "list_entry", "score")


# -- the form's own checks ------------------------------------------------------------------------------------


@dataclass
class FormErrors:
    """What is wrong with a posted form, field by field (the GOV.UK error summary links each to its field)."""

    messages: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def add(self, name: str, message: str, **params: Any) -> None:
        """Note a problem with field ``name`` (the first one per field is shown)."""
        self.messages.setdefault(name, (message, params))

    def __bool__(self) -> bool:
        return bool(self.messages)


def form_text(
    form: Mapping[str, Any], name: str, errors: FormErrors, *, required: bool = False, limit: int = STATEMENT_LIMIT
) -> str:
    """Field ``name`` of a posted form as text, checked: present when ``required``, at most ``limit``
    characters, no NUL and only real characters (a lone surrogate is not one). The reader's text is returned
    even when it is refused, so that the form can show it again."""
    value = form.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, N_("Send this field once, as text."))
        return ""
    if required and not value.strip():
        errors.add(name, N_("This field is required."))
    elif len(value) > limit:
        errors.add(
            name, N_("Write at most %(limit)s characters (you wrote %(length)s)."), limit=limit, length=len(value)
        )
    elif "\x00" in value or not _encodable(value):
        errors.add(name, N_("This text contains a character that cannot be stored (a NUL or an invalid character)."))
    return value if _encodable(value) else value.encode("utf-8", "replace").decode("utf-8")


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def form_problems(exc: InputError, fields: Sequence[str]) -> FormErrors | None:
    """The service's problems with a form, by field, when every one of them is about a field the form shows
    (else None: the refusal is shown as the service's error page)."""
    errors = FormErrors()
    for problem in exc.problems:
        if problem.field not in fields:
            return None
        errors.add(problem.field, "%(reason)s", reason=problem.reason)
    return errors


# -- titles in the page's language ------------------------------------------------------------------------------


def type_titles(platform: Platform, types: Sequence[str], language: Language) -> dict[str, str]:
    """Each record type's title from the catalogue (its Chinese title on a Chinese page, where it has one);
    a type the catalogue does not list is shown as it is written."""
    catalogue = platform.public.catalogue()
    out = {}
    for record_type in set(types):
        entry = catalogue.entry(record_type)
        out[record_type] = _titled(entry, language) if entry is not None else record_type
    return out


def action_titles(platform: Platform, actions: Sequence[str], language: Language) -> dict[str, str]:
    """Each action's title from the list of measures, as :func:`type_titles`."""
    measures = platform.public.measures()
    out = {}
    for action in set(actions):
        entry = measures.entry(action)
        out[action] = _titled(entry, language) if entry is not None else action
    return out


def _titled(entry: Any, language: Language) -> str:
    if language.code == "zh_CN" and getattr(entry, "title_zh", None):
        return str(entry.title_zh)
    return str(entry.title)


def types_in(file: Mapping[str, Any]) -> list[str]:
    """Every record type a file names (records, score lines, list entries, measures)."""
    found = [r["type"] for r in file.get("records", [])] + [r["type"] for r in file.get("record_versions", [])]
    for result in file.get("schemes", []):
        found += [line["record"]["type"] for line in result["score_lines"]]
        found += [r["type"] for entry in result["list_entries"] for r in entry["records"]]
    return found


def actions_in(file: Mapping[str, Any]) -> list[str]:
    """Every action a file's measures restrict or favour."""
    return [a for result in file.get("schemes", []) for m in result["measures"] for a in m["actions"]]


# -- the score over time --------------------------------------------------------------------------------------


def score_history(result: Mapping[str, Any]) -> list[tuple[date, int]]:
    """The score on each day it changed: the base, plus each line's points from the day its record happened to
    the day it stops counting; the last point is the day the last item stops counting (or today)."""
    base = result["base"]
    as_of = date.fromisoformat(result["as_of"])
    changes: dict[date, int] = {}
    for line in result["score_lines"]:
        if not line["points"]:
            continue
        start = date.fromisoformat(line["record"]["occurred_at"])
        until = date.fromisoformat(line["counts_until"])
        changes[start] = changes.get(start, 0) + line["points"]
        changes[until] = changes.get(until, 0) - line["points"]
    if not changes:
        return [(as_of - timedelta(days=365), base), (as_of, base)]
    days = sorted(changes)
    points = [(days[0] - timedelta(days=30), base)]
    value = base
    for day in days:
        value += changes[day]
        points.append((day, value))
    if as_of > days[-1]:
        points.append((as_of, value))
    return points


def score_chart(result: Mapping[str, Any], grade_lines: Sequence[tuple[int, str]], language: Language) -> Markup:
    """The score over time as a step chart, the grade thresholds as guide lines."""
    history = score_history(result)
    title = language.gettext("Score over time under %(scheme)s") % {"scheme": result["scheme"]}
    description = language.gettext(
        "The score starts at %(base)s; each item adds or takes away its points from the day it happened until "
        "the day it stops counting. The table below gives the same figures."
    ) % {"base": result["base"]}
    return charts.steps(history, title=title, description=description, lines=grade_lines)


def grade_lines(platform: Platform, scheme_name: str) -> list[tuple[int, str]]:
    """The scheme's grade thresholds (score, "grade ≥ score")."""
    scheme = platform.scheme(scheme_name)
    if scheme.grades is None:
        return []
    return [(band.min, band.grade) for band in scheme.grades.bands if band.min is not None]


# -- what an objection or a repair is about -------------------------------------------------------------------


def scheme_name(label: str) -> str:
    """A scheme's name from its label (``rongcheng@2024.1`` -> ``rongcheng``)."""
    return label.split("@", 1)[0]


def result_of(file: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The file's result under the scheme called ``name``; NotFound when the scheme does not concern it."""
    for result in file["schemes"]:
        if scheme_name(result["scheme"]) == name:
            return result
    raise NotFound(f"scheme {name!r} does not concern this subject")


def find_entry(file: Mapping[str, Any], scheme: str, list_id: str, key: str | None) -> tuple[str, dict[str, Any]]:
    """(scheme name, entry) of the active entry of ``list_id`` (with ``key``) in the file; any scheme when
    ``scheme`` is empty."""
    for result in file["schemes"]:
        name = scheme_name(result["scheme"])
        if scheme and name != scheme:
            continue
        for entry in result["list_entries"]:
            if entry["list_id"] == list_id and entry["status"] == "active" and (not key or entry["key"] == key):
                return name, entry
    raise NotFound(f"no active entry of list {list_id!r} (key {key!r}) for this subject")


def find_record(file: Mapping[str, Any], authority: str, record_id: str) -> dict[str, Any]:
    """The record in force with this key in the file."""
    for r in file["records"]:
        if r["authority"] == authority and r["record_id"] == record_id:
            return r
    raise NotFound(f"no record {record_id!r} of {authority!r} in force about this subject")


def schemes_using(file: Mapping[str, Any], authority: str, record_id: str) -> list[str]:
    """The schemes whose score lines or list entries rest on a record (all of the file's, when none does)."""
    using = []
    for result in file["schemes"]:
        refs = [line["record"] for line in result["score_lines"]]
        refs += [r for entry in result["list_entries"] for r in entry["records"]]
        if any(r["authority"] == authority and r["record_id"] == record_id for r in refs):
            using.append(scheme_name(result["scheme"]))
    return using or [scheme_name(r["scheme"]) for r in file["schemes"]]


@dataclass
class Target:
    """What an objection is about, as the form carries it."""

    kind: str
    scheme: str = ""
    authority: str = ""
    record_id: str = ""
    list_id: str = ""
    key: str = ""

    def as_service_target(self) -> dict[str, Any]:
        """The target as :meth:`DueProcess.object` takes it."""
        if self.kind == "record":
            return {"kind": "record", "authority": self.authority, "record_id": self.record_id}
        if self.kind == "list_entry":
            return {"kind": "list_entry", "list_id": self.list_id, "key": self.key or None}
        return {"kind": "score"}


def check_kind(kind: str) -> None:
    """An objection is to a record, a list entry or a score."""
    if kind not in KINDS:
        raise InputError([Problem(f"expected one of {', '.join(KINDS)}", "kind", kind[:40])])


def objection_item(file: Mapping[str, Any], target: Target) -> dict[str, Any]:
    """What the page shows of the item objected to, and the schemes the objection may be filed under."""
    check_kind(target.kind)
    if target.kind == "record":
        record = find_record(file, target.authority, target.record_id)
        return {"record": record, "schemes": schemes_using(file, target.authority, target.record_id)}
    if target.kind == "list_entry":
        name, entry = find_entry(file, target.scheme, target.list_id, target.key or None)
        return {"entry": entry, "schemes": [name]}
    result = result_of(file, target.scheme)
    if result["base"] is None:
        raise NotFound(f"scheme {target.scheme!r} gives no score")
    return {"score": result, "schemes": [target.scheme]}


def days_left(deadline: str, today: date) -> int:
    """Days from today to a deadline (negative: overdue by that many days)."""
    return (date.fromisoformat(deadline) - today).days


def mask_others(items: Sequence[dict[str, Any]], own: str, text_field: str) -> None:
    """A measure or reason in force through a link names the other subject (a legal representative): show its
    identifier masked, as the public lists do, in the item and in its one-line text; the holder's own stays."""
    for item in items:
        other = item.get("via_subject")
        if other and other != own:
            shown = mask_subject(other)
            item["via_subject"] = shown
            if isinstance(item.get(text_field), str):
                item[text_field] = item[text_field].replace(other, shown)
