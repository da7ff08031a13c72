"""Operational data: what the assistant records while it works, in a database of its own.

``models`` (one declarative base: users' units, the audit log with its ratings,
platform message ids), ``db`` (sessions; the schema is migrated on first use),
``schema`` (Alembic migrations in ``migrations/``), ``timestamps`` (aware UTC,
shown in Asia/Shanghai), ``spool`` (records waiting for the database),
``retention`` (what expires when). The public functions live with their users:
:mod:`bot.audit`, :mod:`bot.feedback`, :mod:`bot.users`, :mod:`bot.channels.dedup`.
``python -m bot.ops migrate|purge|drain|revision`` runs the maintenance jobs.
"""

from bot.ops import retention as _retention  # noqa: F401  (registers the first-use purge)
