"""support circle: profiles, invites, links, encouragement, reach-outs; weekly circle reminders

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 11:50:00.000000
"""
from alembic import op
import sqlalchemy as sa
import webapp.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('circle_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('first_name_enc', sa.Text(), nullable=False),
    sa.Column('notify_messages', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_circle_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_circle_profiles'))
    )
    op.create_table('circle_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('supporter_id', sa.Integer(), nullable=False),
    sa.Column('share_light', sa.Boolean(), nullable=False),
    sa.Column('share_taper', sa.Boolean(), nullable=False),
    sa.Column('notify_reach_out', sa.Boolean(), nullable=False),
    sa.Column('created_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['supporter_id'], ['users.id'], name=op.f('fk_circle_links_supporter_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_circle_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_links')),
    sa.UniqueConstraint('user_id', 'supporter_id', name='uq_circle_links_pair')
    )
    with op.batch_alter_table('circle_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_links_supporter_id'), ['supporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_links_user_id'), ['user_id'], unique=False)

    op.create_table('circle_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('expires_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('used_at', webapp.models.core.UTCDateTime(), nullable=True),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['circle_links.id'], name=op.f('fk_circle_invites_link_id_circle_links'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_circle_invites_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_invites')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_circle_invites_token_hash'))
    )
    with op.batch_alter_table('circle_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_invites_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_invites_user_id'), ['user_id'], unique=False)

    op.create_table('circle_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('text_enc', sa.Text(), nullable=False),
    sa.Column('created_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_circle_messages_sender_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_circle_messages_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_messages'))
    )
    with op.batch_alter_table('circle_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_messages_sender_id'), ['sender_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_messages_user_id'), ['user_id'], unique=False)

    op.create_table('circle_reach_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('supporters', sa.Integer(), nullable=False),
    sa.Column('devices', sa.Integer(), nullable=False),
    sa.Column('delivered', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_circle_reach_outs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_reach_outs'))
    )
    with op.batch_alter_table('circle_reach_outs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_circle_reach_outs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_circle_reach_outs_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('circle_link_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reminders_circle_link_id'), ['circle_link_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reminders_circle_link_id_circle_links'), 'circle_links', ['circle_link_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reminders_circle_link_id_circle_links'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reminders_circle_link_id'))
        batch_op.drop_column('circle_link_id')

    with op.batch_alter_table('circle_reach_outs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_reach_outs_user_id'))
        batch_op.drop_index(batch_op.f('ix_circle_reach_outs_created_at'))
    op.drop_table('circle_reach_outs')
    with op.batch_alter_table('circle_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_messages_user_id'))
        batch_op.drop_index(batch_op.f('ix_circle_messages_sender_id'))
    op.drop_table('circle_messages')
    with op.batch_alter_table('circle_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_invites_user_id'))
        batch_op.drop_index(batch_op.f('ix_circle_invites_link_id'))
    op.drop_table('circle_invites')
    with op.batch_alter_table('circle_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_circle_links_user_id'))
        batch_op.drop_index(batch_op.f('ix_circle_links_supporter_id'))
    op.drop_table('circle_links')
    op.drop_table('circle_profiles')
