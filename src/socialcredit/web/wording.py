"""Scheme rules in plain words, in the page's language: record conditions (``{attribute: adjudicated, eq:
true}``, all / any / not), grade predicates (score, has_record, counting, previous_grades) and periods.

Pure functions of a rule and a :class:`~socialcredit.web.i18n.Language`; attribute names and values are data
and are shown as the scheme writes them (quoted), the words around them are translated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from socialcredit.catalogue.measures import MeasureList
from socialcredit.catalogue.model import Catalogue
from socialcredit.scheme.conditions import Condition, Scalar
from socialcredit.scheme.model import Comparison, Period, Predicate
from socialcredit.web.i18n import Language

Titles = Callable[[str], str]
"""A record type's title in the page's language (the type itself when the catalogue has none)."""


def record_title(catalogue: Catalogue, record_type: str, language: Language) -> str:
    """The catalogue's title of ``record_type``: Chinese on a Chinese page where the catalogue has it."""
    entry = catalogue.entry(record_type)
    if entry is None:
        return record_type
    if language.code == "zh_CN" and entry.title_zh:
        return entry.title_zh
    return entry.title


def action_title(measures: MeasureList, action: str, language: Language) -> str:
    """The list of measures' title of ``action``: Chinese on a Chinese page where the list has it."""
    entry = measures.entry(action)
    if entry is None:
        return action
    if language.code == "zh_CN" and entry.title_zh:
        return entry.title_zh
    return entry.title


def period(value: Period | None, language: Language) -> str:
    """``2 years 3 months`` / ``2年3个月``; empty for none."""
    if value is None:
        return ""
    _ = language.gettext
    parts = []
    if value.years:
        parts.append(language.ngettext("%(num)s year", "%(num)s years", value.years) % {"num": value.years})
    if value.months:
        parts.append(language.ngettext("%(num)s month", "%(num)s months", value.months) % {"num": value.months})
    if value.days:
        parts.append(language.ngettext("%(num)s day", "%(num)s days", value.days) % {"num": value.days})
    return ("" if language.code == "zh_CN" else " ").join(parts)


def scalar(value: Scalar, language: Language) -> str:
    """A value as a reader reads it: booleans as yes / no, text quoted."""
    _ = language.gettext
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)


def _joined(values: Sequence[Scalar], language: Language) -> str:
    separator = "、" if language.code == "zh_CN" else ", "
    return separator.join(scalar(v, language) for v in values)


def condition(value: Condition | None, language: Language) -> str:
    """A record condition in words; empty for none (every record of the type)."""
    if value is None:
        return ""
    _ = language.gettext
    if value.all is not None:
        return _(" and ").join(_nested(c, language) for c in value.all)
    if value.any is not None:
        return _(" or ").join(_nested(c, language) for c in value.any)
    if value.not_ is not None:
        return _("not (%(condition)s)") % {"condition": condition(value.not_, language)}
    op, operand = value.operator()
    words = {
        "eq": _("%(attribute)s is %(value)s"),
        "ne": _("%(attribute)s is not %(value)s"),
        "lt": _("%(attribute)s is less than %(value)s"),
        "le": _("%(attribute)s is at most %(value)s"),
        "gt": _("%(attribute)s is more than %(value)s"),
        "ge": _("%(attribute)s is at least %(value)s"),
        "in": _("%(attribute)s is one of %(value)s"),
    }
    attribute = f"“{value.attribute}”"
    if op == "present":
        text = _("%(attribute)s is given") if operand else _("%(attribute)s is not given")
        return text % {"attribute": attribute}
    shown = _joined(operand, language) if op == "in" else scalar(operand, language)
    return words[op] % {"attribute": attribute, "value": shown}


def _nested(value: Condition, language: Language) -> str:
    text = condition(value, language)
    return f"({text})" if value.all is not None or value.any is not None else text


def comparison(value: Comparison, language: Language) -> str:
    """A score comparison in words: ``the score is below 600``."""
    _ = language.gettext
    # The lower bound first, as a reader says a range.
    words = {
        "ge": _("the score is at least %(value)s"),
        "gt": _("the score is above %(value)s"),
        "eq": _("the score is %(value)s"),
        "le": _("the score is at most %(value)s"),
        "lt": _("the score is below %(value)s"),
    }
    parts = [words[op] % {"value": getattr(value, op)} for op in words if getattr(value, op) is not None]
    return _(" and ").join(parts)


def predicate(value: Predicate, language: Language, titles: Titles) -> str:
    """A grade assignment's or cap's condition in words; ``titles`` names record types."""
    _ = language.gettext
    if value.all is not None:
        return _(" and ").join(_nested_predicate(p, language, titles) for p in value.all)
    if value.any is not None:
        return _(" or ").join(_nested_predicate(p, language, titles) for p in value.any)
    if value.not_ is not None:
        return _("not (%(condition)s)") % {"condition": predicate(value.not_, language, titles)}
    if value.score is not None:
        return comparison(value.score, language)
    if value.counting is not None:
        return _("a record scored by rule %(rule)s still counts") % {"rule": f"“{value.counting}”"}
    if value.has_record is not None:
        test = value.has_record
        kinds = _(" or ").join(f"“{titles(t)}”" for t in test.types)
        if test.within == "evaluation_year":
            text = _("there is a record %(types)s in the year evaluated") % {"types": kinds}
        else:
            text = _("there is a record %(types)s within the last %(period)s") % {
                "types": kinds,
                "period": period(test.within, language),
            }
        if test.when is not None:
            text += _(", where %(condition)s") % {"condition": condition(test.when, language)}
        return text
    previous = value.previous_grades
    assert previous is not None
    one = previous.years == 1
    if previous.grades is not None:
        text = (
            _("the grade at the end of the previous year was %(grades)s")
            if one
            else _("the grade at the end of one of the previous %(num)s years was %(grades)s")
        )
        return text % {"num": previous.years, "grades": " / ".join(previous.grades)}
    text = (
        _("the grade at the end of the previous year was set by %(rules)s")
        if one
        else _("the grade at the end of one of the previous %(num)s years was set by %(rules)s")
    )
    return text % {"num": previous.years, "rules": " / ".join(f"“{r}”" for r in previous.assigned_by or [])}


def _nested_predicate(value: Predicate, language: Language, titles: Titles) -> str:
    text = predicate(value, language, titles)
    return f"({text})" if value.all is not None or value.any is not None else text
