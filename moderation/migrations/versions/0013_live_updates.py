"""live updates: on PostgreSQL, writing events notifies the processes that stream them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

from moderation.models import EVENTS_NOTIFY_DDL

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A statement-level trigger: created in an instant, it takes no lock writers wait on
    # beyond the moment of its creation.
    if op.get_bind().dialect.name == "postgresql":
        for statement in EVENTS_NOTIFY_DDL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_notify ON events")
        op.execute("DROP FUNCTION IF EXISTS moderation_events_notify()")
