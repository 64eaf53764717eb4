"""File input for ingestion and file-to-file commands: record files and query files, read all or nothing."""

from socialcredit.io.record_files import Query, read_queries, read_records

__all__ = ["Query", "read_queries", "read_records"]
