"""What the outbox's rule (webapp/sync.py) tells a person is marked for
translation: every declared resource's conflict message is extracted into the
catalogue, as the check-in's and the dose's are, so it is answered in the
person's language."""

from __future__ import annotations

from pathlib import Path

from webapp import i18n
from webapp.sync import DECLARED

ROOT = Path(__file__).resolve().parents[2]


def test_every_synced_conflict_message_is_marked_for_translation():
    import webapp.checkins.store  # noqa: F401 - each store declares its resources
    import webapp.people.store  # noqa: F401
    import webapp.taper.store  # noqa: F401
    import webapp.toolkit.store  # noqa: F401

    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n.extract(ROOT) if m.id}
    unmarked = sorted(synced.conflict for synced in DECLARED if synced.conflict not in extracted)
    assert unmarked == []
