"""An index on the value a link names: the subjects naming a person as legal representative, found by index.

Reading a subject's file, or deciding about them, needs every subject whose records name them through a scheme's
link. Without an index on the value inside a record's attributes, the service read every record of the link's
type into a map, again after every write of records: 1.5 s at 50 M records. This index is partial (only that
record type) and on an expression, written as each dialect reads a JSON attribute; on PostgreSQL it is created
on the partitioned table and so on each partition.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKS = {("registry.legal_representative", "person_id"): "ix_records_legal_representative"}
VALUE = {
    "postgresql": "(attributes ->> '{attribute}')",
    "sqlite": "json_extract(attributes, '$.{attribute}')",
}


def upgrade() -> None:
    """Create the link indexes."""
    dialect = op.get_context().dialect.name
    for (record_type, attribute), name in LINKS.items():
        op.create_index(
            name,
            "records",
            [sa.text(VALUE[dialect].format(attribute=attribute))],
            **{f"{dialect}_where": sa.text(f"type = '{record_type}'")},
        )


def downgrade() -> None:
    """Drop them."""
    for name in LINKS.values():
        op.drop_index(name, table_name="records")
