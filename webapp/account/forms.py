from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.forms import FlaskForm, password_field


class ChangePasswordForm(FlaskForm):
    current_password = password_field(
        _l("Current password"),
        "current-password",
        required_message=_l("Enter your current password."),
        named=_l("Your current password"),
    )
    new_password = password_field(
        _l("New password"), "new-password", required_message=_l("Choose a new password."), named=_l("The new password")
    )


class DeleteAccountForm(FlaskForm):
    password = password_field(
        _l("Your password"),
        "current-password",
        required_message=_l("Enter your password to delete your account."),
        named=_l("Your password"),
    )
