"""thought records, contacts and "I reached out" keep a keyed hash of the
body they were made from, so a replay through the outbox is told from a
different body under the same device id (webapp/sync.py)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:00:00.000000

Rows stored before this revision keep no hash: they were saved on the
first-copy-stands rule, and a replay of one still answers with it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ('thought_records', 'support_contacts', 'contact_logs')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('body_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('body_hash')
