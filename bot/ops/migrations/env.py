"""Alembic environment: the connection comes from :func:`bot.ops.schema.upgrade`."""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from bot.ops.models import Base
from bot.ops.timestamps import UTCDateTime


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # UTC handling lives in Python; in the database the column is a plain DATETIME,
    # and migrations stay free of imports from the code they migrate.
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime()"
    return False


connection = context.config.attributes["connection"]
# Batch mode: SQLite cannot ALTER most things, Alembic then copies the table.
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, render_item=_render_item)
with context.begin_transaction():
    context.run_migrations()
