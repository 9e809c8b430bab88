from __future__ import annotations

from webapp.forms import FlaskForm
from wtforms import BooleanField

from webapp.forms import email_field, password_field


class RegisterForm(FlaskForm):
    email = email_field()
    password = password_field(
        "Choose a password", "new-password", required_message="Choose a password."
    )


class LoginForm(FlaskForm):
    email = email_field()
    password = password_field("Password", "current-password", required_message="Enter your password.")
    remember = BooleanField("Keep me signed in on this device for 30 days")


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: sign out, sign out everywhere."""
