"""Alembic environment: runs on the connection that ``moderation.migrate`` hands over."""

from alembic import context

from moderation import models  # noqa: F401 - registers the tables on the metadata
from moderation.db import db

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=db.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # One transaction per migration, so that one that needs to run outside a transaction
    # (``autocommit_block``) commits only the migrations before it.
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
