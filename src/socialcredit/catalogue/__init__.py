"""The catalogue of record types and the list of measures: what may be recorded, and what may follow from it."""
