"""The operational database's tables, declared once: records (:mod:`.records`), the audit log (:mod:`.audit`)
and the service's parties, tokens, access log, decisions, notices and cases (:mod:`.service`), the federation's
feeds and what it received (:mod:`.federation`), all on the
metadata of :mod:`.base`. Table declarations only: no behaviour, so that every shell can import them without
importing another shell.
"""

from socialcredit.tables import audit, federation, records, service
from socialcredit.tables.base import Base

__all__ = ["Base", "audit", "federation", "records", "service"]
