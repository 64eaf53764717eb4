"""A Rongcheng-sized synthetic city written straight to Parquet (the batch engines' wide schema), fast.

Subjects are valid identifiers from :mod:`socialcredit.lab.synth` (residents and organizations); records are
drawn by DuckDB from hashes of the row number (deterministic), with the record types of the ``rongcheng``
scheme in rough proportions and the attributes it reads (``points`` of other dishonesty, ``adjudicated`` late
fees), days 2019-01-01 to 2026-06-30 (29 February included). Every record fits the catalogue (types, subject
kinds, attribute ranges), so that ``socialcredit score``, which holds a file to it, reads the city whole.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from socialcredit.lab import synth

# (record type, per mille of records)
TYPES = [
    ("volunteer.service", 300), ("traffic.violation", 250), ("health.blood_donation", 80),
    ("finance.loan_arrears_month", 80), ("utility.late_fees", 60), ("finance.contract_breach", 40),
    ("commerce.other_dishonesty", 40), ("honor.heroic_act", 30), ("court.contract_breach_judgment", 20),
    ("traffic.drunk_driving", 20), ("finance.private_lending_breach", 15), ("finance.guarantee_breach", 10),
    ("court.unpaid_debt_judgment", 10), ("utility.heating_tampering", 10), ("utility.theft", 10),
    ("commerce.counterfeit_goods", 8), ("commerce.pyramid_selling_or_fraud", 5), ("finance.illegal_fundraising", 4),
    ("utility.equipment_destruction", 3), ("unread", 5),
]
assert sum(w for _, w in TYPES) == 1000
# The catalogue holds these about persons only: an organization's draw of one is a contract breach instead.
PERSONS_ONLY = ["volunteer.service", "traffic.violation", "health.blood_donation", "honor.heroic_act",
                "traffic.drunk_driving"]  # fmt: skip
# Records the scheme reads nothing of, of types the catalogue holds (a loan application, a late tax return).
UNREAD = {"person": "finance.application", "organization": "tax.late_filing"}
AUTHORITIES = ["RC-CIVIL", "RC-PSB-TRAFFIC", "RC-HEALTH", "RC-PBOC", "RC-UTIL", "RC-SAMR", "RC-COURT"]


def subjects(n: int) -> pa.Table:
    """``n`` subjects: 98% residents, 2% organizations, valid identifiers."""
    orgs = max(1, n // 50)
    spec = synth.CitySpec(residents=n - orgs, organizations=orgs)
    ids = list(synth.residents(spec)) + list(synth.organizations(spec))
    kinds = ["person"] * (n - orgs) + ["organization"] * orgs
    return pa.table({"idx": pa.array(range(n), pa.int64()), "subject_id": ids, "subject_kind": kinds})


def write_city(path: Path, *, subjects_count: int, records: int, threads: int = 2) -> float:
    """Write ``records`` records about ``subjects_count`` subjects to ``path`` (one Parquet file)."""
    start = time.perf_counter()
    con = duckdb.connect(config={"threads": threads, "memory_limit": "6GB"})
    con.register("subjects_arrow", subjects(subjects_count))
    thresholds = []
    acc = 0
    for name, weight in TYPES:
        acc += weight
        thresholds.append((acc, name))
    type_case = "CASE " + " ".join(f"WHEN h2 < {acc} THEN '{name}'" for acc, name in thresholds) + " END"
    authority_case = "CASE h4 " + " ".join(f"WHEN {i} THEN '{a}'" for i, a in enumerate(AUTHORITIES)) + " END"
    persons_only = ", ".join(f"'{t}'" for t in PERSONS_ONLY)
    kind_case = (
        f"CASE WHEN r.type = 'unread' THEN CASE subj.subject_kind WHEN 'person' THEN '{UNREAD['person']}' "
        f"ELSE '{UNREAD['organization']}' END WHEN subj.subject_kind = 'organization' AND r.type IN ({persons_only}) "
        "THEN 'finance.contract_breach' ELSE r.type END"
    )
    days = (date(2026, 6, 30) - date(2019, 1, 1)).days + 1
    # The bench's own constants only (no scheme values): a fixed generator query.
    con.execute(f"""
        COPY (
          WITH g AS (
            SELECT i,
                   hash(i * 4 + 1) % {subjects_count} AS s,
                   hash(i * 4 + 2) % 1000 AS h2,
                   hash(i * 4 + 3) % {days} AS h3,
                   hash(i * 4 + 4) % {len(AUTHORITIES)} AS h4,
                   hash(i * 7 + 5) % 100 AS h5
            FROM range({records}) AS t(i)
          ), r AS (
            SELECT i, s, {type_case} AS type, DATE '2019-01-01' + CAST(h3 AS INTEGER) AS occurred_at,
                   {authority_case} AS authority, h5 FROM g
          )
          SELECT 'R' || CAST(i AS VARCHAR) AS record_id, subj.subject_id, {kind_case} AS type, r.occurred_at,
                 r.authority, subj.subject_kind,
                 CASE WHEN r.type = 'commerce.other_dishonesty' THEN -5 - CAST(h5 AS BIGINT) % 46 END AS points__int,
                 CASE WHEN r.type = 'utility.late_fees' THEN h5 < 30 END AS adjudicated__bool
          FROM r JOIN subjects_arrow AS subj ON subj.idx = r.s
        ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
    """)
    con.close()
    return time.perf_counter() - start
