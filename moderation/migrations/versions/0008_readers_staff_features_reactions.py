"""readers, staff, featured comments and reactions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ACTIONS = ("approve", "reject", "spam", "restore", "hold", "publish", "edit", "delete")
NEW_ACTIONS = (*OLD_ACTIONS, "feature", "unfeature")


def _action_check(actions: Sequence[str]) -> sa.TextClause:
    return sa.text("action IN (" + ", ".join(f"'{a}'" for a in actions) + ")")


def _swap_action_check(actions: Sequence[str]) -> None:
    name = "ck_decisions_decision_action"
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(name), "decisions", type_="check")
        op.create_check_constraint(op.f(name), "decisions", _action_check(actions))
        return
    # SQLite cannot alter a constraint: batch mode rebuilds the table, the new check in place of
    # the old (reflected tables carry no enum checks, so only the one named here is written).
    with op.batch_alter_table("decisions", recreate="always") as batch_op:
        batch_op.create_check_constraint(op.f(name), _action_check(actions))


def _keep_author_bans() -> None:
    """Author bans were keyed to what the author typed (their email, else their name), and new
    comments are never keyed so again. A ban that names a comment with an email goes on as a
    ban of that email, so no ban lapses with the change of keys."""
    from flask import current_app

    from moderation.identity import email_hash

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT b.site_id, b.label, b.reason, b.comment_id, b.created_by, b.created_at,"
            " b.expires_at, c.author_email FROM bans b JOIN comments c ON c.id = b.comment_id"
            " WHERE b.kind = 'author' AND c.author_email IS NOT NULL"
        )
    ).all()
    if not rows:
        return
    secret = current_app.config["SECRET_KEY"]
    bans = sa.table(
        "bans",
        *(
            sa.column(name)
            for name in ("site_id", "kind", "value_hash", "label", "reason", "comment_id",
                         "created_by", "created_at", "expires_at")
        ),
    )  # fmt: skip
    op.bulk_insert(
        bans,
        [
            {
                "site_id": row.site_id,
                "kind": "email",
                "value_hash": email_hash(secret, row.site_id, row.author_email),
                "label": row.author_email,
                "reason": row.reason,
                "comment_id": row.comment_id,
                "created_by": row.created_by,
                "created_at": row.created_at,
                "expires_at": row.expires_at,
            }
            for row in rows
        ],
    )


def upgrade() -> None:
    # Adding a column with a constant default rewrites nothing on PostgreSQL 11 and later: a
    # deployed comments table gains these without a long lock.
    with op.batch_alter_table("sites") as batch_op:
        batch_op.add_column(
            sa.Column(
                "commenters",
                sa.Enum(
                    "guests",
                    "readers",
                    "mixed",
                    name="site_commenters",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                nullable=False,
                server_default="guests",
            )
        )
        batch_op.add_column(sa.Column("login_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(
            sa.Column(
                "reaction_label", sa.String(length=40), nullable=False, server_default="Respect"
            )
        )
        batch_op.add_column(sa.Column("sso_secret", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("sso_previous_secret", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("sso_previous_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("settings_version", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("articles") as batch_op:
        batch_op.add_column(sa.Column("reacted_second", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reacted_before", sa.Integer(), nullable=True))

    op.create_table(
        "readers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("badges", sa.JSON(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "commenter",
                "staff",
                name="reader_role",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_readers_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readers")),
        sa.UniqueConstraint("site_id", "subject", name="uq_readers_site_subject"),
    )
    op.create_table(
        "revoked_tokens",
        sa.Column("jti_hash", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_revoked_tokens_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jti_hash", name=op.f("pk_revoked_tokens")),
    )
    op.create_index("ix_revoked_tokens_expires", "revoked_tokens", ["expires_at"])

    with op.batch_alter_table("comments") as batch_op:
        batch_op.add_column(sa.Column("reader_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("staff", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        # Existing comments have no badges: a constant default, so no row is rewritten.
        batch_op.add_column(
            sa.Column("badges", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("featured", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("reactions", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_foreign_key(
            op.f("fk_comments_reader_id_readers"),
            "readers",
            ["reader_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reactor_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_reactions_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reactions")),
        sa.UniqueConstraint("comment_id", "reactor_key", name="uq_reactions_reactor"),
    )

    indexes = {
        "ix_comments_best": ["article_id", "root_id", "reactions", "id"],
        "ix_comments_reader": ["reader_id"],
    }
    if op.get_bind().dialect.name == "postgresql":
        # Built without locking the table against writers.
        with op.get_context().autocommit_block():
            for name, columns in indexes.items():
                op.create_index(name, "comments", columns, postgresql_concurrently=True)
    else:
        for name, columns in indexes.items():
            op.create_index(name, "comments", columns)

    _swap_action_check(NEW_ACTIONS)
    _keep_author_bans()


def downgrade() -> None:
    _swap_action_check(OLD_ACTIONS)
    for name in ("ix_comments_reader", "ix_comments_best"):
        op.drop_index(name, table_name="comments")
    op.drop_table("reactions")
    with op.batch_alter_table("comments") as batch_op:
        batch_op.drop_constraint(op.f("fk_comments_reader_id_readers"), type_="foreignkey")
        for column in ("reactions", "featured", "badges", "staff", "reader_id"):
            batch_op.drop_column(column)
    op.drop_index("ix_revoked_tokens_expires", table_name="revoked_tokens")
    op.drop_table("revoked_tokens")
    op.drop_table("readers")
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_column("reacted_before")
        batch_op.drop_column("reacted_second")
    with op.batch_alter_table("sites") as batch_op:
        for column in (
            "settings_version",
            "sso_previous_until",
            "sso_previous_secret",
            "sso_secret",
            "reaction_label",
            "login_url",
            "commenters",
        ):
            batch_op.drop_column(column)
