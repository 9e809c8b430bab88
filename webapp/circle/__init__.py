"""Support circle, by side: ``person`` (the one supported), ``joining`` (an
invite link) and ``supporting`` (a supporter).

The person (``/circle``) invites supporters with a single-use link, chooses
per supporter what is shared, reaches out with one tap, and reads
encouragement. A supporter (``/circle/supporting``) sees only what each person
shares, chooses notifications and a weekly reminder, and sends encouragement.
Either side can end a link at any time.

Links are looked up from the side of the signed-in person: as the owner
(``get_owned_or_404``) or as the supporter (``supported_link_or_404``), so an
id from anyone else answers 404.
"""

from flask import Blueprint

bp = Blueprint("circle", __name__, template_folder="templates")

from webapp.circle import joining, person, supporting  # noqa: E402,F401 - registers the views on bp
