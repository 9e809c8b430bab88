from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from webapp.forms import FlaskForm, email_field, password_field


class RegisterForm(FlaskForm):
    email = email_field()
    password = password_field(_l("Choose a password"), "new-password", required_message=_l("Choose a password."))


class LoginForm(FlaskForm):
    email = email_field()
    password = password_field(_l("Password"), "current-password", required_message=_l("Enter your password."))
    remember = BooleanField(_l("Keep me signed in on this device for 30 days"))
