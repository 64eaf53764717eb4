"""The scheme language: models, loading with located errors, the rights audit, the shipped schemes."""

from socialcredit.scheme.loader import load_scheme_file, load_scheme_text
from socialcredit.scheme.model import Scheme
from socialcredit.scheme.registry import load_scheme, shipped_names

__all__ = ["Scheme", "load_scheme", "load_scheme_file", "load_scheme_text", "shipped_names"]
