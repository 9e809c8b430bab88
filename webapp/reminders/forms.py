from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms import SelectField as AnyChoiceField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import FlaskForm, Limit, SelectField, SelectMultipleField, TimeField
from webapp.services.content import N_
from webapp.services.reminder_rules import KINDS

#: What a time field that is not a time says (the browser's time picker sends HH:MM).
NOT_A_TIME = _l("Enter a time in hours and minutes, like 20:00.")

DAY_NAMES = [N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday")]
KIND_LABELS = {
    "checkin": N_("Check in"),
    "reach_out": N_("Reach out to someone"),
    "network_review": N_("Review my support network"),
    "meeting": N_("Before my support group meets"),
    "dose": N_("My dose times (as planned with my prescriber)"),
    "custom": N_("Something else"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReminderForm(FlaskForm):
    kind = SelectField(
        _l("What is it for?"),
        choices=[SelectChoice(k, _l(v)) for k, v in KIND_LABELS.items()],
        default="checkin",
        invalid=_l("Choose what the reminder is for."),
    )
    time1 = TimeField(_l("Time"), validators=[Optional()], invalid=NOT_A_TIME)
    time2 = TimeField(_l("Another time (optional)"), validators=[Optional()], invalid=NOT_A_TIME)
    time3 = TimeField(_l("Another time (optional)"), validators=[Optional()], invalid=NOT_A_TIME)
    weekdays = MultiCheckboxField(
        _l("Days"),
        choices=[SelectChoice(str(i), _l(name)) for i, name in enumerate(DAY_NAMES)],
        default=[str(i) for i in range(7)],
        invalid=_l("Choose days from Monday to Sunday."),
    )
    group_id = AnyChoiceField(_l("Which group (for meeting reminders)"), choices=[], coerce=str, validate_choice=False)
    lead_minutes = SelectField(
        _l("How long before it starts"),
        choices=[
            SelectChoice(str(m), label)
            for m, label in ((15, _l("15 minutes")), (30, _l("30 minutes")), (60, _l("1 hour")), (120, _l("2 hours")))
        ],
        default="30",
        invalid=_l("Choose how long before the meeting it rings."),
    )
    follows_taper = BooleanField(
        _l("Ring at the dose times in my taper plan"),
        description=_l("When a new step starts with other times, the reminder moves with it."),
    )
    title = StringField(
        _l("Notification title"),
        validators=[Optional(), Limit(80, _l("The title"))],
        render_kw={"data-limit": 80},
        description=_l("Shown on the lock screen. Leave empty for the default, which says nothing private."),
    )
    body = StringField(
        _l("Notification text"), validators=[Optional(), Limit(160, _l("The text"))], render_kw={"data-limit": 160}
    )

    def times(self) -> list[str]:
        return [f.data.strftime("%H:%M") for f in (self.time1, self.time2, self.time3) if f.data]

    def default_words(self) -> tuple[str, str]:
        title, body, _, _ = KINDS[self.kind.data]
        return title, body


class SettingsForm(FlaskForm):
    timezone = SelectField(_l("Time zone"), choices=[], invalid=_l("Choose a time zone from the list."))
    zone_from_device = BooleanField(_l("Follow my phone's time zone when I travel"))
    quiet_start = TimeField(
        _l("Quiet from"), validators=[Optional()], invalid=_l("Enter when quiet hours start, like 22:00.")
    )
    quiet_end = TimeField(
        _l("Quiet until"), validators=[Optional()], invalid=_l("Enter when quiet hours end, like 07:00.")
    )
