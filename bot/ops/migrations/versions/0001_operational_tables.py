"""Operational tables: users' units, the audit log with its ratings, platform message ids.

Revision ID: 0001
Revises:
Create Date: 2026-05-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_unit",
        sa.Column("sender", sa.String(128), primary_key=True),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "audit_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sender", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(32)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(64)),
        sa.Column("confidence", sa.Float()),
        sa.Column("unit", sa.String(64)),
        sa.Column("matter", sa.String(64)),
        sa.Column("question", sa.String(16)),
        sa.Column("verdict", sa.String(16)),
        sa.Column("kb_version", sa.String(64)),
        sa.Column("rating", sa.String(8)),
        sa.Column("reason", sa.Text()),
        sa.Column("rated_at", sa.DateTime()),
        sa.Column("import_id", sa.String(32), unique=True),
    )
    op.create_index("ix_audit_record_created_at", "audit_record", ["created_at"])
    op.create_index("ix_audit_record_sender", "audit_record", ["sender"])
    op.create_table(
        "channel_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("msg_id", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(255), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("channel", "msg_id"),
    )
    op.create_index("ix_channel_message_received_at", "channel_message", ["received_at"])


def downgrade() -> None:
    op.drop_table("channel_message")
    op.drop_table("audit_record")
    op.drop_table("user_unit")
