""""how to help me", appointments with professionals and their reminders,
sharing "how to help me" per supporter, and thanks from the person to a
supporter (a kind of circle message)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 04:00:00.000000

Links made before this revision share nothing new: ``share_help_me`` starts
off. Messages stored before it were all encouragement.
"""
from alembic import op
import sqlalchemy as sa
import webapp.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('help_me',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sections_enc', sa.Text(), nullable=False),
    sa.Column('created_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_help_me_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_me')),
    sa.UniqueConstraint('user_id', name=op.f('uq_help_me_user_id'))
    )
    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('at', sa.Time(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('place_enc', sa.Text(), nullable=True),
    sa.Column('link_enc', sa.Text(), nullable=True),
    sa.Column('created_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.Column('updated_at', webapp.models.core.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['support_contacts.id'], name=op.f('fk_appointments_contact_id_support_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_appointments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appointment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reminders_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reminders_appointment_id_appointments'), 'appointments', ['appointment_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('circle_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_help_me', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('circle_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='encouragement'))


def downgrade() -> None:
    with op.batch_alter_table('circle_messages', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('circle_links', schema=None) as batch_op:
        batch_op.drop_column('share_help_me')

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reminders_appointment_id_appointments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reminders_appointment_id'))
        batch_op.drop_column('appointment_id')

    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_user_id'))
        batch_op.drop_index(batch_op.f('ix_appointments_contact_id'))

    op.drop_table('appointments')
    op.drop_table('help_me')
