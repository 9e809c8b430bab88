"""users.language: the language chosen for the account (webapp/i18n.py),
which also decides the language of the notifications sent to the person

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00.000000

Rows stored before this revision hold none: those people see the language
their device chose, and their notifications are in English until they choose.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
