"""the abuse score beside the spam score

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Both columns are nullable or have a constant default: nothing is rewritten on PostgreSQL
    # 11 and later, so a deployed comments table gains them without a long lock. Comments
    # already stored have no abuse score (NULL), as comments before the spam score had none.
    with op.batch_alter_table("comments") as batch_op:
        batch_op.add_column(sa.Column("abuse_score", sa.Float(), nullable=True))
    # What the site learned so far stays: the abuse counts start at zero, and the abuse score
    # waits for its own decisions (``score_min_decisions``).
    with op.batch_alter_table("spam_features") as batch_op:
        batch_op.add_column(sa.Column("abuse", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("spam_features") as batch_op:
        batch_op.drop_column("abuse")
    with op.batch_alter_table("comments") as batch_op:
        batch_op.drop_column("abuse_score")
