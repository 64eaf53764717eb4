"""The decision index: national-scale list membership and decisions for (subject, action, day).

See :mod:`socialcredit.index.decision` for the parts of an index, :mod:`socialcredit.index.layout` for its arrays and
:mod:`socialcredit.index.keys` for subject keys.
"""

from socialcredit.index.decision import Answer, BulkAnswers, DecisionIndex, Reference, day_number
from socialcredit.index.profiles import DECISIONS, ProfileTable

__all__ = ["DECISIONS", "Answer", "BulkAnswers", "DecisionIndex", "ProfileTable", "Reference", "day_number"]
