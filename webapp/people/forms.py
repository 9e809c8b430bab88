"""Forms for the support network. They render the fields and check the CSRF
token; what a value may be is decided in ``checks.py``, shared with the JSON
API, and problems are put back on the fields here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
    name = StringField(_l("Name"), render_kw={"data-limit": NAME_MAX, "autocomplete": "off"})
    relationship = SelectField(
        _l("Who they are to you"),
        choices=[SelectChoice("", _l("Choose one"))] + [SelectChoice(k, _l(v)) for k, v in RELATIONSHIPS.items()],
        validate_choice=False,
    )
    phone = TelField(
        _l("Phone number"),
        description=_l("Optional. Digits, spaces and a + at the start are fine."),
        render_kw={"autocomplete": "off", "inputmode": "tel", "data-limit": 32},
    )
    can_text = BooleanField(_l("They are happy to get texts"))
    email = StringField(
        _l("Email address"),
        description=_l("Optional."),
        render_kw={"type": "email", "autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    best_times = StringField(
        _l("Best times to reach them"),
        description=_l("Optional. For example: evenings after 7, not on Sundays."),
        render_kw={"data-limit": BEST_TIMES_MAX},
    )
    notes = TextAreaField(
        _l("Notes"), description=_l("Optional. Only you can see these."), render_kw={"rows": 3, "data-limit": NOTES_MAX}
    )
    understands_withdrawal = BooleanField(_l("They understand benzodiazepine withdrawal"))
    pinned = BooleanField(_l("Pin as one of my people (up to three, shown first everywhere)"))
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
        _l("Message"),
        description=_l("A short message you can send with one tap, for example: Can we talk tonight?"),
        render_kw={"rows": 2, "data-limit": TEMPLATE_MAX},
    )


class GroupForm(FlaskForm):
    name = StringField(_l("Name of the group"), render_kw={"data-limit": NAME_MAX})
    meeting_day = SelectField(
        _l("Day it meets"),
        choices=[SelectChoice("", _l("It varies"))] + [SelectChoice(str(i), _l(day)) for i, day in enumerate(WEEKDAYS)],
        validate_choice=False,
    )
    meeting_time = StringField(_l("Time it starts"), description=_l("For example 19:30."), render_kw={"type": "time"})
    time_zone = SelectField(_l("Time zone of that time"), validate_choice=False)
    place = StringField(
        _l("Where it meets"), description=_l("Optional. An address or a room."), render_kw={"data-limit": PLACE_MAX}
    )
    link = StringField(
        _l("Link to join online"),
        description=_l("Optional. A web link starting with https://."),
        render_kw={"type": "url", "spellcheck": "false", "autocapitalize": "none"},
    )
    notes = TextAreaField(_l("Notes"), description=_l("Optional."), render_kw={"rows": 3, "data-limit": NOTES_MAX})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [SelectChoice(zone, zone) for zone in time_zone_choices()]

    def values(self) -> dict:
        return {
            name: self[name].data
            for name in ("name", "meeting_day", "meeting_time", "time_zone", "place", "link", "notes")
        }


class NudgeForm(FlaskForm):
    enabled = BooleanField(_l("Remind me gently when I have not connected with anyone for a while"))
    days = StringField(
        _l("After how many days?"),
        description=_l("A number from 1 to %(max)s.", max=NUDGE_DAYS_MAX),
        render_kw={"inputmode": "numeric", "pattern": "[0-9]*"},
    )


class ReviewForm(FlaskForm):
    helped = TextAreaField(_l("Who helped me lately?"), render_kw={"rows": 2, "data-limit": REVIEW_ANSWER_MAX})
    did_not_help = TextAreaField(
        _l("Who did not help, or made things harder?"), render_kw={"rows": 2, "data-limit": REVIEW_ANSWER_MAX}
    )
    to_add = TextAreaField(_l("Who could I add?"), render_kw={"rows": 2, "data-limit": REVIEW_ANSWER_MAX})
    missing = SelectMultipleField(
        _l("What kind of support is missing?"),
        choices=[SelectChoice(k, _l(v)) for k, v in MISSING_SUPPORT.items()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )

    def values(self) -> dict:
        return {name: self[name].data for name in ("helped", "did_not_help", "to_add", "missing")}
