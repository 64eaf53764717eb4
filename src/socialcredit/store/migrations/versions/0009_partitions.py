"""Records carry their authority's region; on PostgreSQL records are partitioned by region and the access log by
year.

Every authority gets ``region``, the province of its jurisdiction (``00`` national), and every record its
authority's, held to it by the reference (authority, region) -> authorities (code, region). The record key
becomes (authority, record_id, region): the same uniqueness, since the region follows from the authority, but a
key PostgreSQL can enforce on a table partitioned by region.

On PostgreSQL, with declarative partitioning:

* ``records`` is partitioned by LIST (region): one partition per province-level division of GB/T 2260 and one
  for the national level, and a default partition for any other code. Each province's records are a table of
  their own (vacuumed, indexed and scanned alone); the service's reads by authority name the region and read one
  partition. (Detaching a province needs the supersedes reference, which spans partitions, dropped first.)
* ``access_log`` is partitioned by RANGE (at), one partition per calendar year from 2020 to 2040 and a default
  for instants outside. The log only grows; a year can be detached once its retention has passed. A subject's
  log is read across years, and a year per partition keeps that to about twenty index descents.

Existing rows are copied into the partitioned tables once, the region computed in the copy, keeping their ids
and sequences. Primary keys there must hold the partition key: (id, region) and (id, at), ids still unique by
their sequence. SQLite has no partitioning: there ``records`` is rebuilt with the column and the new keys.

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

RECORD_COLUMNS = (
    "id", "authority", "record_id", "subject_id", "subject_kind", "type", "occurred_at", "attributes",
    "legal_basis", "source_ref", "supersedes", "revoked", "recorded_at", "batch_id", "content_hash",
)  # fmt: skip
"""The columns of ``records`` at 0008, in order."""

RECORD_INDEXES = (
    "CREATE INDEX ix_records_subject_id ON records (subject_id)",
    "CREATE INDEX ix_records_type ON records (type)",
    "CREATE INDEX ix_records_batch_id ON records (batch_id)",
    "CREATE INDEX ix_records_recorded_at ON records (recorded_at)",
    "CREATE INDEX ix_records_supersedes ON records (authority, supersedes) WHERE supersedes IS NOT NULL",
)

WITH_REGION = {
    "key": ("authority", "record_id", "region"),
    "supersedes": ("authority", "supersedes", "region"),
    "authority": (("authority", "region"), ("code", "region"), "fk_records_authority_region_authorities"),
}
WITHOUT_REGION = {
    "key": ("authority", "record_id"),
    "supersedes": ("authority", "supersedes"),
    "authority": (("authority",), ("code",), "fk_records_authority_authorities"),
}


def upgrade() -> None:
    """Give authorities and records their region and the new keys; partition on PostgreSQL."""
    if op.get_context().dialect.name == "postgresql":
        op.add_column("authorities", sa.Column("region", sa.String(2), nullable=True))
        op.execute("UPDATE authorities SET region = substr(jurisdiction, 1, 2)")
        op.execute("ALTER TABLE authorities ALTER COLUMN region SET NOT NULL")
        op.execute("CREATE UNIQUE INDEX uq_authorities_code_region ON authorities (code, region)")
        _partition_records()
        _partition_access_log()
    else:
        _sqlite_authority_regions()
        _sqlite_rebuild_records(WITH_REGION)


def downgrade() -> None:
    """Back to the unpartitioned tables of 0008, without the regions."""
    if op.get_context().dialect.name == "postgresql":
        _unpartition("access_log", "PRIMARY KEY (id)", ACCESS_LOG_INDEXES)
        op.execute("ALTER TABLE records DROP CONSTRAINT IF EXISTS fk_records_supersedes")
        _unpartition("records", "PRIMARY KEY (id)", RECORD_INDEXES, columns=RECORD_COLUMNS)
        for statement in _record_constraints(WITHOUT_REGION):
            op.execute(statement)
        op.execute("DROP INDEX uq_authorities_code_region")
        op.drop_column("authorities", "region")
        return
    _sqlite_rebuild_records(WITHOUT_REGION)
    op.execute("DROP INDEX uq_authorities_code_region")
    op.execute("ALTER TABLE authorities DROP COLUMN region")


def _record_constraints(keys: dict) -> list[str]:  # type: ignore[type-arg]
    """The key and references of ``records`` (all but its primary key), as ALTER TABLE statements."""
    own, theirs, name = keys["authority"]
    return [
        f"ALTER TABLE records ADD CONSTRAINT uq_records_{'_'.join(keys['key'])} UNIQUE ({', '.join(keys['key'])})",
        f"ALTER TABLE records ADD CONSTRAINT {name} FOREIGN KEY ({', '.join(own)}) "
        f"REFERENCES authorities ({', '.join(theirs)})",
        "ALTER TABLE records ADD CONSTRAINT fk_records_batch_id_batches FOREIGN KEY (batch_id) REFERENCES batches (id)",
        f"ALTER TABLE records ADD CONSTRAINT fk_records_supersedes FOREIGN KEY ({', '.join(keys['supersedes'])}) "
        f"REFERENCES records ({', '.join(keys['key'])}) DEFERRABLE INITIALLY DEFERRED",
    ]


# -- PostgreSQL ------------------------------------------------------------------------------------------------------

ACCESS_LOG_INDEXES = (
    "CREATE INDEX ix_access_log_subject_id_at ON access_log (subject_id, at)",
    "CREATE INDEX ix_access_log_outcome ON access_log (outcome)",
)


def _partition_records() -> None:
    partitions = [(f"r{code}", f"IN ('{code}')") for code in PROVINCES]
    columns = ", ".join(f"r.{name}" for name in RECORD_COLUMNS)
    _copy_into_partitioned(
        "records",
        "LIST (region)",
        partitions,
        extra="region varchar(2) NOT NULL",
        select=f"SELECT {columns}, a.region FROM records r JOIN authorities a ON a.code = r.authority",
    )
    op.execute("ALTER TABLE records ADD CONSTRAINT pk_records PRIMARY KEY (id, region)")
    for statement in (*_record_constraints(WITH_REGION), *RECORD_INDEXES):
        op.execute(statement)


def _partition_access_log() -> None:
    years = [
        (f"y{year}", f"FROM ('{year}-01-01 00:00+00') TO ('{year + 1}-01-01 00:00+00')") for year in ACCESS_LOG_YEARS
    ]
    _copy_into_partitioned("access_log", "RANGE (at)", years, extra=None, select="SELECT * FROM access_log")
    op.execute("ALTER TABLE access_log ADD CONSTRAINT pk_access_log PRIMARY KEY (id, at)")
    for statement in ACCESS_LOG_INDEXES:
        op.execute(statement)


def _copy_into_partitioned(
    table: str, key: str, partitions: Sequence[tuple[str, str]], *, extra: str | None, select: str
) -> None:
    """Replace ``table`` by a table partitioned by ``key`` with the same columns (and ``extra``), defaults (the id
    sequence) and the rows ``select`` gives, with no constraints or indexes yet: they are built once, after."""
    new = f"{table}_partitioned"
    columns = f"LIKE {table} INCLUDING DEFAULTS" + (f", {extra}" if extra else "")
    op.execute(f"CREATE TABLE {new} ({columns}) PARTITION BY {key}")
    for suffix, bounds in partitions:
        op.execute(f"CREATE TABLE {table}_{suffix} PARTITION OF {new} FOR VALUES {bounds}")
    op.execute(f"CREATE TABLE {table}_default PARTITION OF {new} DEFAULT")
    op.execute(f"INSERT INTO {new} {select}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {new}.id")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {new} RENAME TO {table}")
    op.execute(f"ANALYZE {table}")


def _unpartition(table: str, primary_key: str, indexes: Sequence[str], *, columns: Sequence[str] | None = None) -> None:
    """Replace the partitioned ``table`` by a plain one with ``columns`` (default: all), its rows and sequence."""
    plain = f"{table}_plain"
    listed = ", ".join(columns) if columns else "*"
    if columns:
        op.execute(f"CREATE TABLE {plain} AS SELECT {listed} FROM {table} WITH NO DATA")
        op.execute(f"ALTER TABLE {plain} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
        for name in columns:
            nullable = name in ("legal_basis", "source_ref", "supersedes")
            if not nullable:
                op.execute(f"ALTER TABLE {plain} ALTER COLUMN {name} SET NOT NULL")
    else:
        op.execute(f"CREATE TABLE {plain} (LIKE {table} INCLUDING DEFAULTS)")
    op.execute(f"INSERT INTO {plain} SELECT {listed} FROM {table}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {plain}.id")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {plain} RENAME TO {table}")
    op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} {primary_key}")
    for statement in indexes:
        op.execute(statement)


# -- SQLite ----------------------------------------------------------------------------------------------------------


def _sqlite_authority_regions() -> None:
    """``authorities.region`` and the key (code, region) on SQLite, in place.

    Not by rebuilding the table: with foreign keys on, renaming it away would carry the references of batches,
    parties and records along to the old table. A column added NOT NULL needs a default: the empty text, which
    the update replaces at once and the store never writes."""
    op.execute("ALTER TABLE authorities ADD COLUMN region VARCHAR(2) NOT NULL DEFAULT ''")
    op.execute("UPDATE authorities SET region = substr(jurisdiction, 1, 2)")
    op.execute("CREATE UNIQUE INDEX uq_authorities_code_region ON authorities (code, region)")


def _sqlite_rebuild_records(keys: dict) -> None:  # type: ignore[type-arg]
    """Rebuild ``records`` on SQLite with the keys and references of ``keys`` (and ``region`` when they name it).

    Not in Alembic's batch mode: that drops the old table after the copy, and with foreign keys on, dropping a
    table that the copy's supersedes references point at counts each as a violation at commit. Renaming the old
    table first moves its own references with it, so that dropping it leaves nothing pointing at it.
    """
    with_region = "region" in keys["key"]
    op.execute("ALTER TABLE records RENAME TO records_old")
    for statement in RECORD_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {statement.split()[2]}")
    own, theirs, name = keys["authority"]
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
        sa.UniqueConstraint(*keys["key"], name="uq_records_" + "_".join(keys["key"])),
        sa.ForeignKeyConstraint(list(own), [f"authorities.{column}" for column in theirs], name=name),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name="fk_records_batch_id_batches"),
        sa.ForeignKeyConstraint(
            list(keys["supersedes"]),
            [f"records.{column}" for column in keys["key"]],
            name="fk_records_supersedes",
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    columns = ", ".join(RECORD_COLUMNS)
    if with_region:
        region = "(SELECT a.region FROM authorities a WHERE a.code = records_old.authority)"
        op.execute(f"INSERT INTO records ({columns}, region) SELECT {columns}, {region} FROM records_old ORDER BY id")
    else:
        op.execute(f"INSERT INTO records ({columns}) SELECT {columns} FROM records_old ORDER BY id")
    op.execute("DROP TABLE records_old")
    for statement in RECORD_INDEXES:
        op.execute(statement)
