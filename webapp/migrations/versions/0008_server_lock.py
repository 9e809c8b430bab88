"""the app lock on the server: each session may be locked with its device

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import webapp.models


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lock_verifier', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lock_idle_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lock_open_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lock_seen_at', webapp.models.core.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('lock_failures', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('lock_wait_until', webapp.models.core.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_column('lock_wait_until')
        batch_op.drop_column('lock_failures')
        batch_op.drop_column('lock_seen_at')
        batch_op.drop_column('lock_open_hash')
        batch_op.drop_column('lock_idle_minutes')
        batch_op.drop_column('lock_verifier')
