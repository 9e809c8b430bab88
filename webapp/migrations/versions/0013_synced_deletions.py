"""synced_deletions: what is remembered of a check-in, dose, contact or
thought record the person deleted (its owner, kind and device-made id), so a
copy still waiting in a device's outbox does not bring it back
(webapp/sync.py)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 10:00:00.000000

Records deleted before this revision were not remembered: a copy of one
still waiting on a device would be saved again, as before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('synced_deletions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_synced_deletions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'client_id', name=op.f('pk_synced_deletions'))
    )


def downgrade() -> None:
    op.drop_table('synced_deletions')
