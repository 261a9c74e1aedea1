"""dashboard login failures

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 09:12:40.118305
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Failed dashboard logins, counted per account and per address (keyed hashes) to throttle
    # password guessing across every service process.
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_key", ["key", "created_at"], unique=False)
        batch_op.create_index("ix_login_failures_created", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_created")
        batch_op.drop_index("ix_login_failures_key")

    op.drop_table("login_failures")
