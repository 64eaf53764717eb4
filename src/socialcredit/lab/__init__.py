"""The lab: synthetic populations to run schemes on, measure them and compare their versions.

:mod:`socialcredit.lab.synth` builds a deterministic synthetic city (residents, organizations, authorities and
their records) and writes it as record files.
"""
