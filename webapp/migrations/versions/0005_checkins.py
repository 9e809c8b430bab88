"""check-ins: one row per check-in, numbers plain, note and own symptoms encrypted

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 05:52:36.497138
"""
from alembic import op
import sqlalchemy as sa
import webapp.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('checked_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=False),
    sa.Column('anxiety', sa.Integer(), nullable=False),
    sa.Column('sleep_hours', sa.Float(), nullable=True),
    sa.Column('sleep_quality', sa.Integer(), nullable=True),
    sa.Column('symptoms', sa.JSON(), nullable=False),
    sa.Column('doses', sa.String(length=16), nullable=False),
    sa.Column('moved', sa.Boolean(), nullable=False),
    sa.Column('ate', sa.Boolean(), nullable=False),
    sa.Column('outside', sa.Boolean(), nullable=False),
    sa.Column('connected', sa.Boolean(), nullable=False),
    sa.Column('seizure', sa.Boolean(), nullable=False),
    sa.Column('hallucinations', sa.Boolean(), nullable=False),
    sa.Column('confusion', sa.Boolean(), nullable=False),
    sa.Column('suicidal_thoughts', sa.Boolean(), nullable=False),
    sa.Column('other_symptoms_enc', sa.Text(), nullable=True),
    sa.Column('note_enc', sa.Text(), nullable=True),
    sa.Column('created_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_check_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('user_id', 'client_id', name='uq_check_ins_user_client')
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_local_date'), ['local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_ins_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_ins_user_id'))
        batch_op.drop_index(batch_op.f('ix_check_ins_local_date'))

    op.drop_table('check_ins')
