"""socialcredit: an open, accountable credit information platform.

The core (``socialcredit.scheme`` and ``socialcredit.engine``) is pure: records in, scores, grades, list
entries, measures and explained decisions out. Everything else is a shell around it.
"""

__version__ = "0.1.0"
