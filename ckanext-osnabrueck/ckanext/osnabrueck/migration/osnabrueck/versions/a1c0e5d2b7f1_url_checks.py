"""URL checks: the last HTTP check of each access and download URL.

Revision ID: a1c0e5d2b7f1
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "a1c0e5d2b7f1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "osnabrueck_url_check",
        sa.Column("url", sa.UnicodeText, primary_key=True),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("error", sa.UnicodeText, nullable=True),
        sa.Column("checked_at", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("osnabrueck_url_check")
