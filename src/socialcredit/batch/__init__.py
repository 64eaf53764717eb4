"""The batch engine: a scheme evaluated over record tables as SQL built with sqlglot, on DuckDB or Spark.

The pure engine (:mod:`socialcredit.engine`) is the specification; this package computes the same scores,
grades, list entries and measures set-wise. See :func:`socialcredit.batch.run.evaluate`.
"""
