"""the Digital Services Act: notices of illegal content on flags, statements of reasons,
appeals; the log takes the actions assess and uphold

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 11:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ACTIONS = (
    "approve", "reject", "spam", "restore", "hold", "publish", "edit", "delete", "feature",
    "unfeature", "ban", "suspend", "premoderate", "trust", "lift",
)  # fmt: skip
NEW_ACTIONS = (*OLD_ACTIONS, "assess", "uphold")
CHECK = "ck_decisions_decision_action"


def _action_check(actions: Sequence[str]) -> str:
    return "action IN (" + ", ".join(f"'{a}'" for a in actions) + ")"


def _swap_action_check(actions: Sequence[str]) -> None:
    # As 0009 does: NOT VALID then VALIDATE on PostgreSQL, so writers are not held for the scan.
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(CHECK), "decisions", type_="check")
        op.execute(
            f"ALTER TABLE decisions ADD CONSTRAINT {CHECK} CHECK ({_action_check(actions)})"
            " NOT VALID"
        )
        op.execute(f"ALTER TABLE decisions VALIDATE CONSTRAINT {CHECK}")
        return
    with op.batch_alter_table("decisions", recreate="always") as batch_op:
        batch_op.create_check_constraint(op.f(CHECK), sa.text(_action_check(actions)))


def upgrade() -> None:
    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column(
            "restriction",
            sa.Enum(
                "removal",
                "demotion",
                "suspension",
                "ban",
                name="statement_restriction",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "action",
            sa.Enum(
                "approve",
                "reject",
                "spam",
                "restore",
                "hold",
                "publish",
                "edit",
                "delete",
                "feature",
                "unfeature",
                "ban",
                "suspend",
                "premoderate",
                "trust",
                "lift",
                "assess",
                "uphold",
                name="statement_action",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "reason",
            sa.Enum(
                "spam",
                "abuse",
                "off_topic",
                "illegal",
                "personal_data",
                "other",
                name="statement_reason",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column("ground_kind", sa.String(length=16), nullable=False),
        sa.Column("ground", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=300), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_statements_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_statements_moderator_id_moderators"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_statements_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
    )
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index("ix_statements_comment", ["comment_id", "id"], unique=False)
        batch_op.create_index("ix_statements_site", ["site_id", "created_at"], unique=False)

    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "upheld",
                "reversed",
                name="appeal_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=300), nullable=True),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_appeals_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["moderators.id"],
            name=op.f("fk_appeals_moderator_id_moderators"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_appeals_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statements.id"],
            name=op.f("fk_appeals_statement_id_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index("ix_appeals_site", ["site_id", "status", "id"], unique=False)
        batch_op.create_index("ix_appeals_statement", ["statement_id"], unique=False)

    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("law", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("category", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("explanation", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("notifier_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("notifier_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("notifier_lang", sa.String(length=5), nullable=True))
        batch_op.add_column(
            sa.Column("good_faith", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("receipt", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column(
                "assessment",
                sa.Enum(
                    "illegal",
                    "house_rules",
                    "no_action",
                    name="flag_assessment",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("legal_ground", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("assessed_by", sa.String(length=300), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_flags_receipt"), ["receipt"])
    _swap_action_check(NEW_ACTIONS)


def downgrade() -> None:
    _swap_action_check(OLD_ACTIONS)
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_flags_receipt"), type_="unique")
        batch_op.drop_column("assessed_by")
        batch_op.drop_column("assessed_at")
        batch_op.drop_column("legal_ground")
        batch_op.drop_column("assessment")
        batch_op.drop_column("receipt")
        batch_op.drop_column("good_faith")
        batch_op.drop_column("notifier_lang")
        batch_op.drop_column("notifier_email")
        batch_op.drop_column("notifier_name")
        batch_op.drop_column("explanation")
        batch_op.drop_column("category")
        batch_op.drop_column("law")

    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index("ix_appeals_statement")
        batch_op.drop_index("ix_appeals_site")

    op.drop_table("appeals")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index("ix_statements_site")
        batch_op.drop_index("ix_statements_comment")

    op.drop_table("statements")
