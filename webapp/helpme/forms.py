"""Forms for "How to help me", appointments and thanks. They render the
fields and check the CSRF token; what a value may be is decided in
``services/helpme.py``. ``data-limit`` (a counter), never ``maxlength``: a
browser would cut pasted text silently; the server refuses it and says how
much to cut."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from webapp.forms import FlaskForm
from webapp.services.circle import MESSAGE_MAX
from webapp.services.helpme import HELP_ME_MAX, HELP_ME_SECTIONS, LINK_MAX, PLACE_MAX

THANKS_PRESETS = (
    "Thank you for being there.",
    "Thank you for checking in on me.",
    "Your message really helped today.",
    "Thank you for your patience with me.",
)


class HelpMeForm(FlaskForm):
    version = HiddenField()

    def values(self) -> dict:
        return {key: self[key].data for key in HELP_ME_SECTIONS}


for _key, (_label, _hint) in HELP_ME_SECTIONS.items():
    setattr(
        HelpMeForm,
        _key,
        TextAreaField(
            _label,
            description=f"{_hint} Up to {HELP_ME_MAX} characters.",
            render_kw={"rows": 4, "data-limit": HELP_ME_MAX},
        ),
    )


class AppointmentForm(FlaskForm):
    day = StringField("Date", description="The day of the appointment.", render_kw={"type": "date"})
    at = StringField("Time", description="In your own time zone, for example 9:30 am.", render_kw={"type": "time"})
    place = StringField(
        "Place",
        description="Optional. An address or a room.",
        render_kw={"autocomplete": "off", "data-limit": PLACE_MAX},
    )
    link = StringField(
        "Video link",
        description="Optional. A link starting with https:// for a video appointment.",
        render_kw={
            "type": "url",
            "spellcheck": "false",
            "autocapitalize": "none",
            "autocomplete": "off",
            "data-limit": LINK_MAX,
        },
    )

    def values(self) -> dict:
        return {name: self[name].data for name in ("day", "at", "place", "link")}


class ThanksForm(FlaskForm):
    preset = SelectField(
        "Choose a thank-you",
        choices=[SelectChoice("", "Write my own")] + [SelectChoice(text, text) for text in THANKS_PRESETS],
        default="",
        validate_choice=False,
    )
    message = TextAreaField(
        "Or write your own",
        description=f"Up to {MESSAGE_MAX} characters of plain text.",
        render_kw={"rows": 2, "data-limit": MESSAGE_MAX},
    )
