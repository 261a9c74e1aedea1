"""authors' standing (always pre-moderate, trusted) and moderators' notes; measures logged

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ACTIONS = (
    "approve", "reject", "spam", "restore", "hold", "publish", "edit", "delete", "feature",
    "unfeature",
)  # fmt: skip
NEW_ACTIONS = (*OLD_ACTIONS, "ban", "suspend", "premoderate", "trust", "lift")
CHECK = "ck_decisions_decision_action"


def _action_check(actions: Sequence[str]) -> str:
    return "action IN (" + ", ".join(f"'{a}'" for a in actions) + ")"


def _swap_action_check(actions: Sequence[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # NOT VALID takes its lock for an instant; VALIDATE reads the log without blocking
        # writers (a plain ADD CONSTRAINT would hold them for the whole scan).
        op.drop_constraint(op.f(CHECK), "decisions", type_="check")
        op.execute(
            f"ALTER TABLE decisions ADD CONSTRAINT {CHECK} CHECK ({_action_check(actions)})"
            " NOT VALID"
        )
        op.execute(f"ALTER TABLE decisions VALIDATE CONSTRAINT {CHECK}")
        return
    # SQLite cannot alter a constraint: batch mode rebuilds the table with the new check.
    with op.batch_alter_table("decisions", recreate="always") as batch_op:
        batch_op.create_check_constraint(op.f(CHECK), sa.text(_action_check(actions)))


def upgrade() -> None:
    op.create_table(
        "author_standings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("author_key", sa.String(length=64), nullable=False),
        sa.Column(
            "standing",
            sa.Enum(
                "premoderated",
                "trusted",
                name="author_standing",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_author_standings_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author_standings")),
        sa.UniqueConstraint("site_id", "author_key", name="uq_author_standings_author"),
    )
    op.create_table(
        "author_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("author_key", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_author_notes_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author_notes")),
    )
    op.create_index("ix_author_notes_author", "author_notes", ["site_id", "author_key", "id"])
    _swap_action_check(NEW_ACTIONS)


def downgrade() -> None:
    op.execute(
        "DELETE FROM decisions WHERE action IN ('ban', 'suspend', 'premoderate', 'trust', 'lift')"
    )
    _swap_action_check(OLD_ACTIONS)
    op.drop_index("ix_author_notes_author", table_name="author_notes")
    op.drop_table("author_notes")
    op.drop_table("author_standings")
