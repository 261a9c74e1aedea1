"""author index covers the author's record

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NARROW = ["site_id", "author_key", "id"]
COVERING = [*NARROW, "status", "decided_at", "created_at"]


def upgrade() -> None:
    # The screening reads an author's latest comments from the index alone; see
    # screening._author_record.
    op.drop_index("ix_comments_author", table_name="comments")
    op.create_index("ix_comments_author", "comments", COVERING)


def downgrade() -> None:
    op.drop_index("ix_comments_author", table_name="comments")
    op.create_index("ix_comments_author", "comments", NARROW)
