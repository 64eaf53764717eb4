"""The scheme language: models, loading with located errors, the rights audit, the shipped schemes.

Import from the modules: ``scheme.model``, ``scheme.loader``, ``scheme.registry``, ``scheme.rights``.
"""
