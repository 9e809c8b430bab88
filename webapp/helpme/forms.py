"""Forms for "How to help me", appointments and thanks. They render the
fields and check the CSRF token; what a value may be is decided in
``services/helpme.py``. ``data-limit`` (a counter), never ``maxlength``: a
browser would cut pasted text silently; the server refuses it and says how
much to cut. Labels and hints follow the page's language (lazily)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from webapp.forms import FlaskForm
from webapp.services.circle import MESSAGE_MAX
from webapp.services.content import N_
from webapp.services.helpme import HELP_ME_MAX, HELP_ME_SECTIONS, LINK_MAX, PLACE_MAX

#: The ready-made thank-yous, in English (what the buttons post); each is
#: shown, and sent, translated (see routes.thank).
THANKS_PRESETS = (
    N_("Thank you for being there."),
    N_("Thank you for checking in on me."),
    N_("Your message really helped today."),
    N_("Thank you for your patience with me."),
)


def _prompt_hint(hint: str) -> LazyString:
    return LazyString(lambda: _("%(hint)s Up to %(max)s characters.", hint=_(hint), max=HELP_ME_MAX))


class HelpMeForm(FlaskForm):
    version = HiddenField()

    def values(self) -> dict:
        return {key: self[key].data for key in HELP_ME_SECTIONS}


for _key, (_label, _hint) in HELP_ME_SECTIONS.items():
    setattr(
        HelpMeForm,
        _key,
        TextAreaField(
            _l(_label),
            description=_prompt_hint(_hint),
            render_kw={"rows": 4, "data-limit": HELP_ME_MAX},
        ),
    )


class AppointmentForm(FlaskForm):
    day = StringField(_l("Date"), description=_l("The day of the appointment."), render_kw={"type": "date"})
    at = StringField(
        _l("Time"), description=_l("In your own time zone, for example 9:30 am."), render_kw={"type": "time"}
    )
    place = StringField(
        _l("Place"),
        description=_l("Optional. An address or a room."),
        render_kw={"autocomplete": "off", "data-limit": PLACE_MAX},
    )
    link = StringField(
        _l("Video link"),
        description=_l("Optional. A link starting with https:// for a video appointment."),
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
        _l("Choose a thank-you"),
        choices=[SelectChoice("", _l("Write my own"))] + [SelectChoice(text, _l(text)) for text in THANKS_PRESETS],
        default="",
        validate_choice=False,
    )
    message = TextAreaField(
        _l("Or write your own"),
        description=_l("Up to %(max)s characters of plain text.", max=MESSAGE_MAX),
        render_kw={"rows": 2, "data-limit": MESSAGE_MAX},
    )
