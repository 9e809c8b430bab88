from __future__ import annotations

from webapp.forms import FlaskForm, password_field


class ChangePasswordForm(FlaskForm):
    current_password = password_field(
        "Current password", "current-password", required_message="Enter your current password."
    )
    new_password = password_field("New password", "new-password", required_message="Choose a new password.")


class DeleteAccountForm(FlaskForm):
    password = password_field(
        "Your password", "current-password", required_message="Enter your password to delete your account."
    )
