"""form_sends: the one-time id of each form that made something, so the same
form sent twice is saved once (webapp/once.py)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 04:00:00.000000

Only the owner, the form's id (random, made when the page was drawn), a
keyed hash of what the form held and when it was saved; not the words. Rows go with the account
(ON DELETE CASCADE) and, a week old, at the person's next such form.
"""
from alembic import op
import sqlalchemy as sa

import webapp.models


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('form_sends',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('sent_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_sends_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'token', name=op.f('pk_form_sends'))
    )


def downgrade() -> None:
    op.drop_table('form_sends')
