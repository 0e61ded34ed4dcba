"""plan run set changes seen

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 17:05:04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for the runs before: a re-plan after them re-plans every site.
    with op.batch_alter_table("plan_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("set_changes_seen", sa.Integer(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35 and later): batch mode would copy plan_runs into a new
    # table, which the invitations' foreign key refuses once a plan exists.
    op.drop_column("plan_runs", "set_changes_seen")
