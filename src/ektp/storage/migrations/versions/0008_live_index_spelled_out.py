"""live index spelled out on SQLite

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IN_LIST = "status IN ('planned', 'letter_printed', 'delivered')"
_SPELLED_OUT = "status = 'planned' OR status = 'letter_printed' OR status = 'delivered'"


def _recreate(where: str) -> None:
    # Only SQLite's spelling changes: PostgreSQL keeps its index as it is.
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ux_invitations_live_resident", table_name="invitations")
    op.create_index(
        "ux_invitations_live_resident",
        "invitations",
        ["resident_id"],
        unique=True,
        sqlite_where=sa.text(where),
    )


def upgrade() -> None:
    _recreate(_SPELLED_OUT)


def downgrade() -> None:
    _recreate(_IN_LIST)
