"""synced_deletions: what is remembered of a check-in, dose, contact or
thought record the person deleted (its owner, kind and device-made id), so a
copy still waiting in a device's outbox does not bring it back
(webapp/sync.py)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 10:00:00.000000

Records deleted before this revision were not remembered: a copy of one
still waiting on a device would be saved again, as before.

Each synced table gets a trigger that skips an insert whose (owner, id) was
deleted, so the insert itself refuses it, in the same statement, and saving
something new costs no extra round trip (``Synced.save``).
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


#: The synced tables (webapp/sync.py ``DECLARED``; tests/integration/test_sync_late_replays.py checks).
SYNCED_TABLES = ('check_ins', 'dose_logs', 'support_contacts', 'thought_records', 'contact_logs')

POSTGRESQL_FUNCTION = """
CREATE FUNCTION steady_skip_deleted() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM synced_deletions d
               WHERE d.user_id = NEW.user_id AND d.kind = TG_TABLE_NAME AND d.client_id = NEW.client_id) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def _create_triggers() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        for table in SYNCED_TABLES:
            op.execute(
                f'CREATE TRIGGER steady_skip_deleted BEFORE INSERT ON "{table}"'
                ' FOR EACH ROW EXECUTE FUNCTION steady_skip_deleted()'
            )
        return
    for table in SYNCED_TABLES:
        op.execute(
            f'CREATE TRIGGER steady_skip_deleted_{table} BEFORE INSERT ON "{table}"'
            ' WHEN EXISTS (SELECT 1 FROM synced_deletions d'
            f" WHERE d.user_id = NEW.user_id AND d.kind = '{table}' AND d.client_id = NEW.client_id)"
            ' BEGIN SELECT RAISE(IGNORE); END'
        )


def upgrade() -> None:
    op.create_table('synced_deletions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_synced_deletions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'client_id', name=op.f('pk_synced_deletions'))
    )
    _create_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in SYNCED_TABLES:
            op.execute(f'DROP TRIGGER steady_skip_deleted ON "{table}"')
        op.execute('DROP FUNCTION steady_skip_deleted()')
    else:
        for table in SYNCED_TABLES:
            op.execute(f'DROP TRIGGER steady_skip_deleted_{table}')
    op.drop_table('synced_deletions')
