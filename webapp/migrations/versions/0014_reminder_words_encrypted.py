"""reminder_words_encrypted: a reminder's title and text are encrypted at
rest, like every other text a person can type (SECURITY.md 17)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-11 10:00:00.000000

Adds ``reminders.title_enc`` and ``reminders.body_enc`` (AES-GCM, bound to
table, attribute and owner, as ``Encrypted`` writes them). The old ``title``
and ``body`` columns stay as they are (``NOT NULL``) and are emptied to ``""``
instead of being dropped or made optional: changing a column on SQLite means
rebuilding the table, and dropping the old ``reminders`` there would cascade
into every reminder's delivery history (``reminder_deliveries`` has
``ON DELETE CASCADE`` and foreign keys are on).

A migration cannot encrypt: the field keys are not in the database but in the
environment or the instance's ``secrets.json``, which only the app reads. So
the words already stored stay where they are for this one step, and the app
moves them: ``steady db upgrade``, ``steady serve`` and every reminder
dispatcher, when they start, encrypt each reminder's words still in the clear
and empty the clear copy (webapp/services/reminder_sealing.py); any write
through the model does the same. Until then the model reads the clear copy,
so no reminder goes silent or loses its words. A later revision can drop the
two old columns once every installation has started on this one.

Downgrading drops the encrypted columns, and cannot decrypt them either: a
reminder sealed since the upgrade keeps its rule but has an empty title and
text.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_enc', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('body_enc', sa.Text(), nullable=True))


def downgrade() -> None:
    # Not in batch mode: on SQLite that rebuilds the table (see above).
    op.drop_column('reminders', 'body_enc')
    op.drop_column('reminders', 'title_enc')
