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


def _replace_index(old: str, new: str, columns: list[str]) -> None:
    # On PostgreSQL built and dropped without locking the table: a newsroom's comments may
    # number millions, and the service takes comments while the index builds.
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.create_index(new, "comments", columns, postgresql_concurrently=True)
            op.drop_index(old, table_name="comments", postgresql_concurrently=True)
    else:
        op.create_index(new, "comments", columns)
        op.drop_index(old, table_name="comments")


def upgrade() -> None:
    # The screening reads an author's latest comments from the index alone; see
    # screening._author_record.
    _replace_index("ix_comments_author", "ix_comments_author_record", COVERING)


def downgrade() -> None:
    _replace_index("ix_comments_author_record", "ix_comments_author", NARROW)
