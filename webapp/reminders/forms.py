from __future__ import annotations

from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import FlaskForm, Limit
from webapp.services.reminder_rules import KINDS

DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
KIND_LABELS = {
    "checkin": "Check in",
    "reach_out": "Reach out to someone",
    "network_review": "Review my support network",
    "meeting": "Before my support group meets",
    "dose": "My dose times (as planned with my prescriber)",
    "custom": "Something else",
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReminderForm(FlaskForm):
    kind = SelectField(
        "What is it for?", choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()], default="checkin"
    )
    time1 = TimeField("Time", validators=[Optional()], format="%H:%M")
    time2 = TimeField("Another time (optional)", validators=[Optional()], format="%H:%M")
    time3 = TimeField("Another time (optional)", validators=[Optional()], format="%H:%M")
    weekdays = MultiCheckboxField(
        "Days",
        choices=[SelectChoice(str(i), name) for i, name in enumerate(DAY_NAMES)],
        default=[str(i) for i in range(7)],
    )
    group_id = SelectField("Which group (for meeting reminders)", choices=[], coerce=str, validate_choice=False)
    lead_minutes = SelectField(
        "How long before it starts",
        choices=[
            SelectChoice(str(m), label)
            for m, label in ((15, "15 minutes"), (30, "30 minutes"), (60, "1 hour"), (120, "2 hours"))
        ],
        default="30",
    )
    follows_taper = BooleanField(
        "Ring at the dose times in my taper plan",
        description="When a new step starts with other times, the reminder moves with it.",
    )
    title = StringField(
        "Notification title",
        validators=[Optional(), Limit(80, "The title")],
        render_kw={"data-limit": 80},
        description="Shown on the lock screen. Leave empty for the default, which says nothing private.",
    )
    body = StringField(
        "Notification text", validators=[Optional(), Limit(160, "The text")], render_kw={"data-limit": 160}
    )

    def times(self) -> list[str]:
        return [f.data.strftime("%H:%M") for f in (self.time1, self.time2, self.time3) if f.data]

    def default_words(self) -> tuple[str, str]:
        title, body, _, _ = KINDS[self.kind.data]
        return title, body


class SettingsForm(FlaskForm):
    timezone = SelectField("Time zone", choices=[])
    zone_from_device = BooleanField("Follow my phone's time zone when I travel")
    quiet_start = TimeField("Quiet from", validators=[Optional()], format="%H:%M")
    quiet_end = TimeField("Quiet until", validators=[Optional()], format="%H:%M")


class DeviceNameForm(FlaskForm):
    device_name = StringField(
        "Device name",
        validators=[Length(min=1, message="Give the device a name."), Limit(60, "The device name")],
        render_kw={"data-limit": 60},
    )
