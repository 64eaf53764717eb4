"""Records carry their authority's region; on PostgreSQL records are partitioned by region and the access log by
year.

Every record gets ``region``, the province of its issuing authority's jurisdiction (``00`` national), and the
record key becomes (authority, record_id, region): the same uniqueness, since the region follows from the
authority, but a key PostgreSQL can enforce on a table partitioned by region.

On PostgreSQL, with declarative partitioning:

* ``records`` is partitioned by LIST (region): one partition per province-level division of GB/T 2260 and one
  for the national level, and a default partition for any other code. A province's records can be detached,
  moved or archived as one table; the service's reads by authority name the region and read one partition.
* ``access_log`` is partitioned by RANGE (at), one partition per calendar year from 2020 to 2040 and a default
  for instants outside. The log only grows; a year can be detached once its retention has passed. A subject's
  log is read across years, and a year per partition keeps that to about twenty index descents.

Existing rows are copied into the partitioned tables, keeping their ids and sequences. SQLite has no
partitioning: there the migration adds the column and changes the key.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROVINCES = (
    "00",  # national
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
)  # fmt: skip
"""The province-level divisions (GB/T 2260) and the national level: a partition of ``records`` each."""

ACCESS_LOG_YEARS = range(2020, 2041)
"""The calendar years with their own partition of ``access_log``."""

FILL_REGION = (
    "UPDATE records SET region = "
    "(SELECT substr(a.jurisdiction, 1, 2) FROM authorities a WHERE a.code = records.authority)"
)

RECORD_INDEXES = (
    "CREATE INDEX ix_records_subject_id ON records (subject_id)",
    "CREATE INDEX ix_records_type ON records (type)",
    "CREATE INDEX ix_records_batch_id ON records (batch_id)",
    "CREATE INDEX ix_records_recorded_at ON records (recorded_at)",
    "CREATE INDEX ix_records_supersedes ON records (authority, supersedes) WHERE supersedes IS NOT NULL",
)


def upgrade() -> None:
    """Add ``records.region`` and the new key; partition on PostgreSQL."""
    if op.get_context().dialect.name == "postgresql":
        _partition_records()
        _partition_access_log()
    else:
        _sqlite_region()


def downgrade() -> None:
    """Back to the unpartitioned tables of 0008, without ``records.region``."""
    if op.get_context().dialect.name == "postgresql":
        _unpartition("access_log", "pk_access_log PRIMARY KEY (id)", ())
        _unpartition(
            "records",
            "pk_records PRIMARY KEY (id)",
            (
                "ALTER TABLE records ADD CONSTRAINT uq_records_authority_record_id UNIQUE (authority, record_id)",
                "ALTER TABLE records ADD CONSTRAINT fk_records_supersedes FOREIGN KEY (authority, supersedes) "
                "REFERENCES records (authority, record_id) DEFERRABLE INITIALLY DEFERRED",
            ),
        )
        op.drop_column("records", "region")
        return
    _sqlite_rebuild(with_region=False)


def _sqlite_region() -> None:
    _sqlite_rebuild(with_region=True)


def _sqlite_rebuild(*, with_region: bool) -> None:
    """Rebuild ``records`` on SQLite with or without ``region`` and its key.

    Not in Alembic's batch mode: that drops the old table after the copy, and with foreign keys on, dropping a
    table that the copy's supersedes references point at counts each as a violation at commit. Renaming the old
    table first moves its own references with it, so that dropping it leaves nothing pointing at it.
    """
    op.execute("ALTER TABLE records RENAME TO records_old")
    for statement in RECORD_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {statement.split()[2]}")
    key = ["authority", "record_id", *(["region"] if with_region else [])]
    reference = ["authority", "supersedes", *(["region"] if with_region else [])]
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("authority", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(128), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("subject_kind", sa.String(32), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("occurred_at", sa.Date(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("source_ref", sa.Text(), nullable=True),
        sa.Column("supersedes", sa.String(128), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        *([sa.Column("region", sa.String(2), nullable=False)] if with_region else []),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint(*key, name="uq_records_" + "_".join(key)),
        sa.ForeignKeyConstraint(["authority"], ["authorities.code"], name="fk_records_authority_authorities"),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name="fk_records_batch_id_batches"),
        sa.ForeignKeyConstraint(
            reference,
            [f"records.{name}" for name in key],
            name="fk_records_supersedes",
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    columns = ", ".join(SQLITE_COLUMNS)
    region = ", (SELECT substr(a.jurisdiction, 1, 2) FROM authorities a WHERE a.code = records_old.authority)"
    if with_region:
        op.execute(f"INSERT INTO records ({columns}, region) SELECT {columns}{region} FROM records_old ORDER BY id")
    else:
        op.execute(f"INSERT INTO records ({columns}) SELECT {columns} FROM records_old ORDER BY id")
    op.execute("DROP TABLE records_old")
    for statement in RECORD_INDEXES:
        op.execute(statement)


SQLITE_COLUMNS = (
    "id", "authority", "record_id", "subject_id", "subject_kind", "type", "occurred_at", "attributes",
    "legal_basis", "source_ref", "supersedes", "revoked", "recorded_at", "batch_id", "content_hash",
)  # fmt: skip


def _partition_records() -> None:
    op.execute("ALTER TABLE records ADD COLUMN region varchar(2)")
    op.execute(FILL_REGION)
    op.execute("ALTER TABLE records ALTER COLUMN region SET NOT NULL")
    _copy_into_partitioned("records", "LIST (region)", [(f"r{code}", f"IN ('{code}')") for code in PROVINCES])
    for statement in (
        "ALTER TABLE records ADD CONSTRAINT pk_records PRIMARY KEY (id, region)",
        "ALTER TABLE records ADD CONSTRAINT uq_records_authority_record_id_region "
        "UNIQUE (authority, record_id, region)",
        "ALTER TABLE records ADD CONSTRAINT fk_records_authority_authorities FOREIGN KEY (authority) "
        "REFERENCES authorities (code)",
        "ALTER TABLE records ADD CONSTRAINT fk_records_batch_id_batches FOREIGN KEY (batch_id) REFERENCES batches (id)",
        "ALTER TABLE records ADD CONSTRAINT fk_records_supersedes FOREIGN KEY (authority, supersedes, region) "
        "REFERENCES records (authority, record_id, region) DEFERRABLE INITIALLY DEFERRED",
        *RECORD_INDEXES,
    ):
        op.execute(statement)


def _partition_access_log() -> None:
    years = [
        (f"y{year}", f"FROM ('{year}-01-01 00:00+00') TO ('{year + 1}-01-01 00:00+00')") for year in ACCESS_LOG_YEARS
    ]
    _copy_into_partitioned("access_log", "RANGE (at)", years)
    for statement in (
        "ALTER TABLE access_log ADD CONSTRAINT pk_access_log PRIMARY KEY (id, at)",
        "CREATE INDEX ix_access_log_subject_id_at ON access_log (subject_id, at)",
        "CREATE INDEX ix_access_log_outcome ON access_log (outcome)",
    ):
        op.execute(statement)


def _copy_into_partitioned(table: str, key: str, partitions: Sequence[tuple[str, str]]) -> None:
    """Replace ``table`` by a table partitioned by ``key`` with the same columns, defaults (the id sequence) and
    rows, and no constraints or indexes yet (they are built once, after the copy)."""
    new = f"{table}_partitioned"
    op.execute(f"CREATE TABLE {new} (LIKE {table} INCLUDING DEFAULTS) PARTITION BY {key}")
    for suffix, bounds in partitions:
        op.execute(f"CREATE TABLE {table}_{suffix} PARTITION OF {new} FOR VALUES {bounds}")
    op.execute(f"CREATE TABLE {table}_default PARTITION OF {new} DEFAULT")
    op.execute(f"INSERT INTO {new} SELECT * FROM {table}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {new}.id")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {new} RENAME TO {table}")
    op.execute(f"ANALYZE {table}")


def _unpartition(table: str, primary_key: str, constraints: Sequence[str]) -> None:
    plain = f"{table}_plain"
    op.execute(f"CREATE TABLE {plain} (LIKE {table} INCLUDING DEFAULTS)")
    op.execute(f"INSERT INTO {plain} SELECT * FROM {table}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {plain}.id")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {plain} RENAME TO {table}")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {primary_key}")
    for statement in constraints:
        op.execute(statement)
    if table == "records":
        for statement in RECORD_INDEXES:
            op.execute(statement)
        op.execute(
            "ALTER TABLE records ADD CONSTRAINT fk_records_authority_authorities FOREIGN KEY (authority) "
            "REFERENCES authorities (code)"
        )
        op.execute(
            "ALTER TABLE records ADD CONSTRAINT fk_records_batch_id_batches FOREIGN KEY (batch_id) "
            "REFERENCES batches (id)"
        )
    else:
        op.execute("CREATE INDEX ix_access_log_subject_id_at ON access_log (subject_id, at)")
        op.execute("CREATE INDEX ix_access_log_outcome ON access_log (outcome)")
