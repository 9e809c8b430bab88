"""toolkit: coping cards, thought records, favourites, recents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
import webapp.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coping_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text_enc', sa.Text(), nullable=False),
    sa.Column('created_at', webapp.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_coping_cards_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coping_cards'))
    )
    with op.batch_alter_table('coping_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coping_cards_user_id'), ['user_id'], unique=False)

    op.create_table('favourite_exercises',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_favourite_exercises_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'exercise_id', name=op.f('pk_favourite_exercises'))
    )
    op.create_table('recent_exercises',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=64), nullable=False),
    sa.Column('used_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recent_exercises_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'exercise_id', name=op.f('pk_recent_exercises'))
    )
    op.create_table('thought_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('content_enc', sa.Text(), nullable=False),
    sa.Column('created_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_thought_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thought_records')),
    sa.UniqueConstraint('user_id', 'client_id', name='uq_thought_records_user_client')
    )
    with op.batch_alter_table('thought_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_thought_records_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('thought_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_thought_records_user_id'))

    op.drop_table('thought_records')
    op.drop_table('recent_exercises')
    op.drop_table('favourite_exercises')
    with op.batch_alter_table('coping_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coping_cards_user_id'))

    op.drop_table('coping_cards')
