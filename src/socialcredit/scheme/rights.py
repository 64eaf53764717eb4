"""The rights audit: what an operational scheme may never do.

No biometric or camera inputs; no scoring of speech, petitions, complaints, religion, assembly or political
activity; no shaming measures. A ``lab`` scheme may model such rules on synthetic populations to measure their
effects, but a scheme with such a rule does not load for operation.
"""

from __future__ import annotations

from socialcredit.scheme.model import Scheme

FORBIDDEN_RECORD_DOMAINS = {
    "biometric": "biometric data is never an input",
    "camera": "camera and facial-recognition data are never inputs",
    "face": "camera and facial-recognition data are never inputs",
    "speech": "speech is never scored",
    "online_speech": "speech is never scored",
    "petition": "petitions are never scored",
    "complaint": "complaints against authorities are never scored",
    "religion": "religion is never scored",
    "assembly": "assembly is never scored",
    "political": "political activity is never scored",
    "ethnicity": "ethnicity is never scored",
    "health_condition": "disease and genetic data are never scored",
    "genetic": "disease and genetic data are never scored",
}

FORBIDDEN_ACTION_WORDS = {
    "shame": "no shaming measures",
    "publish_photo": "no shaming measures (publishing photos)",
    "ringtone": "no shaming measures (warning ring tones)",
    "expose": "no shaming measures",
    "children_school": "no measures against a subject's family members",
}


def rights_problems(scheme: Scheme) -> list[tuple[str, str]]:
    """Each (field, reason) that keeps ``scheme`` from operation; empty when it passes."""
    problems: list[tuple[str, str]] = []

    def check_type(field: str, record_type: str) -> None:
        domain = record_type.split(".", 1)[0]
        if domain in FORBIDDEN_RECORD_DOMAINS:
            problems.append((field, f"record type {record_type!r}: {FORBIDDEN_RECORD_DOMAINS[domain]}"))

    if scheme.score is not None:
        for i, rule in enumerate(scheme.score.rules):
            check_type(f"score.rules[{i}].record_type", rule.record_type)
    for i, lst in enumerate(scheme.lists):
        check_type(f"lists[{i}].entry.record_type", lst.entry.record_type)
    if scheme.grades is not None:
        for group in ("assign", "caps"):
            for i, rule in enumerate(getattr(scheme.grades, group)):
                for p in rule.when.walk():
                    for t in p.has_record.types if p.has_record else []:
                        check_type(f"grades.{group}[{i}].when", t)
    for i, measure in enumerate(scheme.measures):
        for j, action in enumerate(measure.actions):
            for word, why in FORBIDDEN_ACTION_WORDS.items():
                if word in action:
                    problems.append((f"measures[{i}].actions[{j}]", f"action {action!r}: {why}"))
    return problems
