"""flagged comments index

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITION = "open_flag_count > 0"


def upgrade() -> None:
    # The dashboard's "flagged" count reads only the comments with open reports; see
    # queue.queue_counts_by_site. Built without locking the table on PostgreSQL.
    where = sa.text(CONDITION)
    columns = ["site_id", "status"]
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.create_index(
                "ix_comments_flagged",
                "comments",
                columns,
                postgresql_where=where,
                postgresql_concurrently=True,
            )
    else:
        op.create_index("ix_comments_flagged", "comments", columns, sqlite_where=where)


def downgrade() -> None:
    op.drop_index("ix_comments_flagged", table_name="comments")
