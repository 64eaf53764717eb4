"""Workflows with side effects around the pure core: ingestion (and, later, notices, objections, repair,
expiry, the audit log)."""
