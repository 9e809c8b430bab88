from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from webapp.forms import FlaskForm
from webapp.reminders.forms import DAY_NAMES
from webapp.services.circle import MESSAGE_MAX, PRESETS


class NameForm(FlaskForm):
    first_name = StringField(
        "Your first name",
        description="What your circle sees, for example in “Sam could use a call”.",
        render_kw={"autocomplete": "given-name", "data-limit": 40},
    )


class InviteForm(NameForm):
    pass


class ProfileForm(NameForm):
    notify_messages = BooleanField("Send me a notification when someone in my circle sends encouragement")


class AcceptForm(NameForm):
    notify_reach_out = BooleanField("Notify my devices when they reach out for a call", default=True)


class SharingForm(FlaskForm):
    share_light = BooleanField("How I'm doing today (a green, amber or red light from my check-in)")
    share_taper = BooleanField("My taper progress (current step as a percent of my starting dose, and days on it)")
    share_help_me = BooleanField("How to help me (what I wrote for my people)")


class SupportingSettingsForm(FlaskForm):
    notify_reach_out = BooleanField("Notify my devices when they reach out for a call")
    weekly = BooleanField("Remind me each week to check in on them")
    weekday = SelectField("Day", choices=[SelectChoice(str(i), name) for i, name in enumerate(DAY_NAMES)], default="6")
    time = TimeField("Time", validators=[Optional()], format="%H:%M")


class EncourageForm(FlaskForm):
    preset = SelectField(
        "Choose a message",
        choices=[SelectChoice("", "Write my own")] + [SelectChoice(text, text) for text in PRESETS],
        default="",
        validate_choice=False,
    )
    message = TextAreaField(
        "Or write your own",
        description=f"Up to {MESSAGE_MAX} characters of plain text.",
        render_kw={"data-limit": MESSAGE_MAX, "rows": 3},
    )
