"""Forms for the support network. They render the fields and check the CSRF
token; what a value may be is decided in ``checks.py``, shared with the JSON
API, and problems are put back on the fields here."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import FlaskForm
from webapp.people.checks import (
    BEST_TIMES_MAX,
    MISSING_SUPPORT,
    NAME_MAX,
    NOTES_MAX,
    PLACE_MAX,
    REVIEW_ANSWER_MAX,
    TEMPLATE_MAX,
    Problems,
)
from webapp.services.support import NUDGE_DAYS_MAX, RELATIONSHIPS, WEEKDAYS, time_zone_choices


def put_problems(form: FlaskForm, problems: Problems) -> None:
    """Show each problem next to its field (and in the error summary)."""
    for name, message in problems.items():
        form[name].errors = [*form[name].errors, message]


class ContactForm(FlaskForm):
    name = StringField("Name", render_kw={"data-limit": NAME_MAX, "autocomplete": "off"})
    relationship = SelectField(
        "Who they are to you",
        choices=[SelectChoice("", "Choose one")] + [SelectChoice(k, v) for k, v in RELATIONSHIPS.items()],
        validate_choice=False,
    )
    phone = TelField(
        "Phone number",
        description="Optional. Digits, spaces and a + at the start are fine.",
        render_kw={"autocomplete": "off", "inputmode": "tel", "data-limit": 32},
    )
    can_text = BooleanField("They are happy to get texts")
    email = StringField(
        "Email address",
        description="Optional.",
        render_kw={"type": "email", "autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    best_times = StringField(
        "Best times to reach them",
        description="Optional. For example: evenings after 7, not on Sundays.",
        render_kw={"data-limit": BEST_TIMES_MAX},
    )
    notes = TextAreaField(
        "Notes", description="Optional. Only you can see these.", render_kw={"rows": 3, "data-limit": NOTES_MAX}
    )
    understands_withdrawal = BooleanField("They understand benzodiazepine withdrawal")
    pinned = BooleanField("Pin as one of my people (up to three, shown first everywhere)")
    version = HiddenField()

    def values(self) -> dict:
        return {
            name: self[name].data
            for name in (
                "name",
                "relationship",
                "phone",
                "can_text",
                "email",
                "best_times",
                "notes",
                "understands_withdrawal",
                "pinned",
            )
        }


class TemplateForm(FlaskForm):
    text = TextAreaField(
        "Message",
        description="A short message you can send with one tap, for example: Can we talk tonight?",
        render_kw={"rows": 2, "data-limit": TEMPLATE_MAX},
    )


class GroupForm(FlaskForm):
    name = StringField("Name of the group", render_kw={"data-limit": NAME_MAX})
    meeting_day = SelectField(
        "Day it meets",
        choices=[SelectChoice("", "It varies")] + [SelectChoice(str(i), day) for i, day in enumerate(WEEKDAYS)],
        validate_choice=False,
    )
    meeting_time = StringField("Time it starts", description="For example 19:30.", render_kw={"type": "time"})
    time_zone = SelectField("Time zone of that time", validate_choice=False)
    place = StringField(
        "Where it meets", description="Optional. An address or a room.", render_kw={"data-limit": PLACE_MAX}
    )
    link = StringField(
        "Link to join online",
        description="Optional. A web link starting with https://.",
        render_kw={"type": "url", "spellcheck": "false", "autocapitalize": "none"},
    )
    notes = TextAreaField("Notes", description="Optional.", render_kw={"rows": 3, "data-limit": NOTES_MAX})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [SelectChoice(zone, zone) for zone in time_zone_choices()]

    def values(self) -> dict:
        return {
            name: self[name].data
            for name in ("name", "meeting_day", "meeting_time", "time_zone", "place", "link", "notes")
        }


class NudgeForm(FlaskForm):
    enabled = BooleanField("Remind me gently when I have not connected with anyone for a while")
    days = StringField(
        "After how many days?",
        description=f"A number from 1 to {NUDGE_DAYS_MAX}.",
        render_kw={"inputmode": "numeric", "pattern": "[0-9]*", "maxlength": 2},
    )


class ReviewForm(FlaskForm):
    helped = TextAreaField("Who helped me lately?", render_kw={"rows": 2, "data-limit": REVIEW_ANSWER_MAX})
    did_not_help = TextAreaField(
        "Who did not help, or made things harder?", render_kw={"rows": 2, "data-limit": REVIEW_ANSWER_MAX}
    )
    to_add = TextAreaField("Who could I add?", render_kw={"rows": 2, "data-limit": REVIEW_ANSWER_MAX})
    missing = SelectMultipleField(
        "What kind of support is missing?",
        choices=[SelectChoice(k, v) for k, v in MISSING_SUPPORT.items()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )

    def values(self) -> dict:
        return {name: self[name].data for name in ("helped", "did_not_help", "to_add", "missing")}
