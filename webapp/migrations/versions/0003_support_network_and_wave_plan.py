"""support network and wave plan

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
import webapp.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('message_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text_enc', sa.Text(), nullable=False),
    sa.Column('created_at', webapp.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_message_templates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_templates'))
    )
    with op.batch_alter_table('message_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_templates_user_id'), ['user_id'], unique=False)

    op.create_table('plan_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label_enc', sa.Text(), nullable=True),
    sa.Column('created_at', webapp.models.UTCDateTime(), nullable=False),
    sa.Column('expires_at', webapp.models.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', webapp.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_plan_shares_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_shares')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_plan_shares_token_hash'))
    )
    with op.batch_alter_table('plan_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_shares_user_id'), ['user_id'], unique=False)

    op.create_table('support_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('relationship', sa.String(length=24), nullable=False),
    sa.Column('can_text', sa.Boolean(), nullable=False),
    sa.Column('understands_withdrawal', sa.Boolean(), nullable=False),
    sa.Column('pin_order', sa.SmallInteger(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name_enc', sa.Text(), nullable=False),
    sa.Column('phone_enc', sa.Text(), nullable=True),
    sa.Column('email_enc', sa.Text(), nullable=True),
    sa.Column('best_times_enc', sa.Text(), nullable=True),
    sa.Column('notes_enc', sa.Text(), nullable=True),
    sa.Column('last_connected_at', webapp.models.UTCDateTime(), nullable=True),
    sa.Column('created_at', webapp.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_support_contacts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_contacts')),
    sa.UniqueConstraint('user_id', 'client_id', name='uq_support_contacts_user_client')
    )
    with op.batch_alter_table('support_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_contacts_user_id'), ['user_id'], unique=False)

    op.create_table('support_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('meeting_day', sa.SmallInteger(), nullable=True),
    sa.Column('meeting_time', sa.Time(), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('name_enc', sa.Text(), nullable=False),
    sa.Column('place_enc', sa.Text(), nullable=True),
    sa.Column('link_enc', sa.Text(), nullable=True),
    sa.Column('notes_enc', sa.Text(), nullable=True),
    sa.Column('created_at', webapp.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_support_groups_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_groups'))
    )
    with op.batch_alter_table('support_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_groups_user_id'), ['user_id'], unique=False)

    op.create_table('support_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', webapp.models.UTCDateTime(), nullable=False),
    sa.Column('answers_enc', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_support_reviews_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_reviews'))
    )
    with op.batch_alter_table('support_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_reviews_user_id'), ['user_id'], unique=False)

    op.create_table('support_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('templates_seeded', sa.Boolean(), nullable=False),
    sa.Column('nudge_after_days', sa.SmallInteger(), nullable=True),
    sa.Column('last_connected_at', webapp.models.UTCDateTime(), nullable=True),
    sa.Column('nudge_due_at', webapp.models.UTCDateTime(), nullable=True),
    sa.Column('review_due_at', webapp.models.UTCDateTime(), nullable=False),
    sa.Column('last_reviewed_at', webapp.models.UTCDateTime(), nullable=True),
    sa.Column('created_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_support_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_support_settings'))
    )
    with op.batch_alter_table('support_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_settings_nudge_due_at'), ['nudge_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_settings_review_due_at'), ['review_due_at'], unique=False)

    op.create_table('wave_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sections_enc', sa.Text(), nullable=False),
    sa.Column('created_at', webapp.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_wave_plans_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wave_plans')),
    sa.UniqueConstraint('user_id', name=op.f('uq_wave_plans_user_id'))
    )
    op.create_table('contact_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('reached_at', webapp.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['support_contacts.id'], name=op.f('fk_contact_logs_contact_id_support_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contact_logs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_logs')),
    sa.UniqueConstraint('user_id', 'client_id', name='uq_contact_logs_user_client')
    )
    with op.batch_alter_table('contact_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_logs_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_logs_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact_logs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_logs_user_id'))
        batch_op.drop_index(batch_op.f('ix_contact_logs_contact_id'))

    op.drop_table('contact_logs')
    op.drop_table('wave_plans')
    with op.batch_alter_table('support_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_settings_review_due_at'))
        batch_op.drop_index(batch_op.f('ix_support_settings_nudge_due_at'))

    op.drop_table('support_settings')
    with op.batch_alter_table('support_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_reviews_user_id'))

    op.drop_table('support_reviews')
    with op.batch_alter_table('support_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_groups_user_id'))

    op.drop_table('support_groups')
    with op.batch_alter_table('support_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_contacts_user_id'))

    op.drop_table('support_contacts')
    with op.batch_alter_table('plan_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_shares_user_id'))

    op.drop_table('plan_shares')
    with op.batch_alter_table('message_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_templates_user_id'))

    op.drop_table('message_templates')
