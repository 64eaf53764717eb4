"""The pure engine: the specification of what a scheme means. Records in, explained results out."""

from socialcredit.engine.evaluate import Evaluator, evaluate
from socialcredit.engine.population import Population
from socialcredit.engine.results import Decision, ListEntry, MeasureInForce, Reason, ScoreLine, SubjectResult

__all__ = [
    "Decision",
    "Evaluator",
    "ListEntry",
    "MeasureInForce",
    "Population",
    "Reason",
    "ScoreLine",
    "SubjectResult",
    "evaluate",
]
