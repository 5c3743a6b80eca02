"""Django password validators for the rules in portal/staff/rules.py (GB/T 22239 level 3 practice).

Django runs them wherever a password is set through a form, so the change page, a reset and the shell
meet the same rules."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.staff.rules import PASSWORD_HISTORY, PASSWORD_MIN_CLASSES, PASSWORD_MIN_LENGTH, password_problems


class StaffPasswordValidator:
    """At least 10 characters, 3 character classes, and not the login name (forwards or backwards)."""

    def validate(self, password, user=None):
        problems = password_problems(password, username=getattr(user, "username", ""))
        if problems:
            raise ValidationError(problems, code="password_rules")

    def get_help_text(self):
        return _(
            "At least %(length)d characters, with %(classes)d of: lower-case letters, capital letters, "
            "digits, other characters; not your login name."
        ) % {"length": PASSWORD_MIN_LENGTH, "classes": PASSWORD_MIN_CLASSES}


class PasswordHistoryValidator:
    """Not the current password, nor one of the ones before it (the last five in all)."""

    def validate(self, password, user=None):
        from portal.staff.services import used_recently

        if user is not None and used_recently(user, password):
            raise ValidationError(
                _("This password was one of your last %(n)d. Choose another.") % {"n": PASSWORD_HISTORY},
                code="password_reused",
            )

    def get_help_text(self):
        return _("Not one of your last %(n)d passwords.") % {"n": PASSWORD_HISTORY}
