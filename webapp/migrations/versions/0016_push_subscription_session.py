"""push_subscriptions.session_hash: the session (its token's hash) of the browser that last saved
a push subscription, so signing out there stops that device's reminders even
when its page could not send the push address (webapp/auth/routes.py)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 04:00:00.000000

Subscriptions saved before this revision hold none until their device next
opens Steady (every app start saves the subscription again); until then a
sign-out stops them only by the address its page sends, as before. The
hash, not the session's id: ids can be used again on SQLite once the
highest is deleted, a token's hash never is. No foreign key: a session's
row goes when it ends, and the hash then matches nothing (and on SQLite
adding one would rebuild the table).
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.drop_column('session_hash')
