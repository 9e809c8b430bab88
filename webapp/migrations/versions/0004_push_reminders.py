"""push subscriptions, reminders, deliveries and push attempts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa
import webapp.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('push_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1024), nullable=False),
    sa.Column('p256dh', sa.String(length=128), nullable=False),
    sa.Column('auth', sa.String(length=64), nullable=False),
    sa.Column('device_name', sa.String(length=60), nullable=False),
    sa.Column('created_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('last_success_at', webapp.models.core.UTCDateTime(), nullable=True),
    sa.Column('blocked_until', webapp.models.core.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_push_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscriptions')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscriptions_endpoint'))
    )
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscriptions_user_id'), ['user_id'], unique=False)

    op.create_table('reminder_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('quiet_start', sa.String(length=5), nullable=True),
    sa.Column('quiet_end', sa.String(length=5), nullable=True),
    sa.Column('zone_from_device', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reminder_settings'))
    )
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('body', sa.String(length=160), nullable=False),
    sa.Column('times', sa.String(length=100), nullable=False),
    sa.Column('weekdays', sa.String(length=13), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('lead_minutes', sa.Integer(), nullable=False),
    sa.Column('next_fire_at', webapp.models.core.UTCDateTime(), nullable=True),
    sa.Column('next_slot_key', sa.String(length=16), nullable=False),
    sa.Column('created_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['support_groups.id'], name=op.f('fk_reminders_group_id_support_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index('ix_reminders_due', ['enabled', 'next_fire_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_user_id'), ['user_id'], unique=False)

    op.create_table('reminder_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('slot_key', sa.String(length=24), nullable=False),
    sa.Column('slot_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.Column('created_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('snoozed_until', webapp.models.core.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['reminder_id'], ['reminders.id'], name=op.f('fk_reminder_deliveries_reminder_id_reminders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_deliveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_deliveries')),
    sa.UniqueConstraint('reminder_id', 'slot_key', name='uq_reminder_deliveries_slot')
    )
    with op.batch_alter_table('reminder_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_deliveries_reminder_id'), ['reminder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_deliveries_user_id'), ['user_id'], unique=False)

    op.create_table('push_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('device_name', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_try_at', webapp.models.core.UTCDateTime(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('updated_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['reminder_deliveries.id'], name=op.f('fk_push_attempts_delivery_id_reminder_deliveries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['push_subscriptions.id'], name=op.f('fk_push_attempts_subscription_id_push_subscriptions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_attempts'))
    )
    with op.batch_alter_table('push_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_attempts_delivery_id'), ['delivery_id'], unique=False)
        batch_op.create_index('ix_push_attempts_retry', ['status', 'next_try_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_push_attempts_subscription_id'), ['subscription_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('push_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_attempts_subscription_id'))
        batch_op.drop_index('ix_push_attempts_retry')
        batch_op.drop_index(batch_op.f('ix_push_attempts_delivery_id'))

    op.drop_table('push_attempts')
    with op.batch_alter_table('reminder_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_deliveries_user_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_deliveries_reminder_id'))

    op.drop_table('reminder_deliveries')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_user_id'))
        batch_op.drop_index('ix_reminders_due')
        batch_op.drop_index(batch_op.f('ix_reminders_group_id'))

    op.drop_table('reminders')
    op.drop_table('reminder_settings')
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscriptions_user_id'))

    op.drop_table('push_subscriptions')
