"""Form pieces shared by features."""

from __future__ import annotations

import flask_wtf
import wtforms
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length, ValidationError
from wtforms.widgets import PasswordInput

from webapp.services.passwords import MAX_LENGTH
from webapp.services.text import too_long


class FlaskForm(flask_wtf.FlaskForm):
    """Flask-WTF's form, which also shows what the root check in
    ``webapp.api`` found in this post (a broken or hidden character, taken
    out of the text put back in the field) beside the field it was in, and
    does not validate while there is any, so nothing is saved."""

    def validate(self, extra_validators=None) -> bool:
        from webapp.api import posted_problems, problem_words

        valid = super().validate(extra_validators=extra_validators)
        problems = posted_problems()
        if not problems:
            return valid
        by_name = {field.name: field for field in self}
        for name, raw in problems.items():
            field = by_name.get(name)
            if field is None:
                self.form_errors.append(problem_words(name.replace("_", " ").capitalize(), raw))
            else:
                field.errors = [
                    problem_words(getattr(field, "named", None) or field.label.text, raw),
                    *(e for e in field.errors if isinstance(e, (str, LazyString))),
                ]
        return False


class Limit:
    """A length limit that says how much to cut. The field carries
    ``data-limit`` (not ``maxlength``, which cuts pasted text without a word)
    so ``limits.js`` can count down as the limit nears; this check is the one
    that counts."""

    def __init__(self, max_length: int, label: str | None = None):
        self.max_length = max_length
        self.label = label
        self.field_flags = {}

    def __call__(self, form, field) -> None:
        value = field.data if isinstance(field.data, str) else ""
        if len(value) > self.max_length:
            from wtforms.validators import StopValidation

            raise StopValidation(too_long(self.label or field.label.text, self.max_length, len(value)))


def email_field(label: str | None = None) -> EmailField:
    return EmailField(
        label or _l("Email address"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=254, message=_l("That email address is too long.")),
            Email(_l("Enter an email address like name@example.com."), check_deliverability=False),
        ],
        filters=[lambda value: value.strip().lower() if isinstance(value, str) else value],
        render_kw={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"},
    )


class NamedPasswordField(PasswordField):
    """A password field its messages name as ``named`` ("The password"):
    its label is often a prompt ("Choose a password"), which reads badly at
    the head of a sentence.

    What was typed is drawn back into the field when the form is refused, as
    in any other field: a password refused for its length, or sent beside an
    email address that needs putting right, is not typed again. Only a
    password found wrong for the account is not (``forget``): it is no use
    to anyone, and it does not stay on the screen. An HTML answer to a POST
    is kept by no cache (``webapp/security.py``), and a page holding a form's
    token is never compressed (``webapp/page_compression.py``)."""

    widget = PasswordInput(hide_value=False)

    def __init__(self, label=None, validators=None, *, named=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.named = named

    def forget(self) -> None:
        """Draw the field empty: what was typed was the wrong password."""
        self.data = ""


def password_field(
    label: str, autocomplete: str, *, required_message: str, named: str | None = None
) -> NamedPasswordField:
    """A password field; one too long is told how much to cut, like any text."""
    named = named or _l("The password")
    return NamedPasswordField(
        label,
        validators=[DataRequired(required_message), Limit(MAX_LENGTH, label=named)],
        render_kw={"autocomplete": autocomplete},
        named=named,
    )


class OwnWords:
    """A field that says in Steady's words, ``invalid``, what WTForms would
    say in its own ("Not a valid time value.", "Not a valid choice."): what
    was sent is not a time, or not one of the choices."""

    def __init__(self, *args, invalid: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid) from None

    def pre_validate(self, form):
        if self.process_errors:  # unreadable: said once, above
            return
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.invalid) from None


class TimeField(OwnWords, wtforms.TimeField):
    """A time of day, ``HH:MM``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        super().__init__(*args, **kwargs)


class SelectField(OwnWords, wtforms.SelectField):
    pass


class SelectMultipleField(OwnWords, wtforms.SelectMultipleField):
    pass
