"""Form pieces shared by features."""

from __future__ import annotations

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from webapp.services.passwords import MAX_LENGTH


def email_field(label: str = "Email address") -> EmailField:
    return EmailField(
        label,
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="That email address is too long."),
            Email("Enter an email address like name@example.com.", check_deliverability=False),
        ],
        filters=[lambda value: value.strip().lower() if isinstance(value, str) else value],
        render_kw={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"},
    )


def password_field(label: str, autocomplete: str, *, required_message: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(required_message),
            Length(max=MAX_LENGTH, message=f"Use at most {MAX_LENGTH} characters."),
        ],
        render_kw={"autocomplete": autocomplete},
    )
