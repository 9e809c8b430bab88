from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from webapp.forms import FlaskForm
from webapp.forms import SelectField as OwnSelectField
from webapp.forms import TimeField as OwnTimeField
from webapp.services.circle import MESSAGE_MAX, PRESETS
from webapp.services.support import WEEKDAYS


class NameForm(FlaskForm):
    first_name = StringField(
        _l("Your first name"),
        description=_l("What your circle sees, for example in “Sam could use a call”."),
        render_kw={"autocomplete": "given-name", "data-limit": 40},
    )


class InviteForm(NameForm):
    pass


class ProfileForm(NameForm):
    notify_messages = BooleanField(_l("Send me a notification when someone in my circle sends encouragement"))


class AcceptForm(NameForm):
    notify_reach_out = BooleanField(_l("Notify my devices when they reach out for a call"), default=True)


class SharingForm(FlaskForm):
    share_light = BooleanField(_l("How I'm doing today (a green, amber or red light from my check-in)"))
    share_taper = BooleanField(_l("My taper progress (current step as a percent of my starting dose, and days on it)"))
    share_help_me = BooleanField(_l("How to help me (what I wrote for my people)"))


class SupportingSettingsForm(FlaskForm):
    notify_reach_out = BooleanField(_l("Notify my devices when they reach out for a call"))
    weekly = BooleanField(_l("Remind me each week to check in on them"))
    weekday = OwnSelectField(
        _l("Day"),
        choices=[SelectChoice(str(i), _l(name)) for i, name in enumerate(WEEKDAYS)],
        default="6",
        invalid=_l("Choose a day from Monday to Sunday."),
    )
    time = OwnTimeField(
        _l("Time"), validators=[Optional()], invalid=_l("Enter a time in hours and minutes, like 20:00.")
    )


class EncourageForm(FlaskForm):
    #: The value is the English preset (what the server checks); the label is
    #: in the sender's language, and the message is stored in the recipient's.
    preset = SelectField(
        _l("Choose a message"),
        choices=[SelectChoice("", _l("Write my own"))] + [SelectChoice(text, _l(text)) for text in PRESETS],
        default="",
        validate_choice=False,
    )
    message = TextAreaField(
        _l("Or write your own"),
        description=_l("Up to %(max)s characters of plain text.", max=MESSAGE_MAX),
        render_kw={"data-limit": MESSAGE_MAX, "rows": 3},
    )
