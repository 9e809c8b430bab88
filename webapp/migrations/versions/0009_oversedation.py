"""check-ins: the over-sedation red flag (took more than planned, or with
alcohol, opioids or other sedatives, and now very drowsy, hard to wake or
breathing slowly)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 03:00:00.000000

Check-ins stored before this revision get "no": the question was not asked.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oversedation', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_column('oversedation')
