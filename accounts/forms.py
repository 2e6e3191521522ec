"""Logins, password changes and sign-ups, under the limits on guessing passwords."""

from django.contrib.admin import forms as admin_forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from quizsite import ratelimit


def check_password_under_limits(form, username, check):
    """Runs `check` (a form's password check) only once this try has been counted against
    the limits on wrong passwords (ratelimit.password_checks); refused while a limit is
    reached, with `form.block` saying why for the view's 429. A wrong password raises in
    `check`, keeping its slots; a right one gives them back."""
    slots = ratelimit.take(*ratelimit.password_checks(form.request, username))
    form.block = slots.block
    if form.block:
        raise ValidationError(form.block.message, code="rate_limited")
    checked = check()
    slots.give_back()
    return checked


class LimitedLoginMixin:
    """Counts each login against the limits on wrong passwords before checking its password,
    and checks none once a limit is reached: a guesser gets a handful of tries, not
    millions, even sending them all at once. A login that succeeds doesn't count."""

    block = None  # the ratelimit.Block that refused this login, for the view's 429

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        return check_password_under_limits(self, username, super().clean)


class LoginForm(LimitedLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(LimitedLoginMixin, AdminAuthenticationForm):
    pass


class LimitedPasswordChangeMixin:
    """The old password is checked under the same limits as a login's (and counts with
    them): a borrowed session can't be used to guess the password either."""

    block = None  # the ratelimit.Block that refused this change, for the view's 429

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        username = self.user.get_username()
        return check_password_under_limits(self, username, super().clean_old_password)


class PasswordChangeForm(LimitedPasswordChangeMixin, auth_forms.PasswordChangeForm):
    pass


class AdminPasswordChangeForm(LimitedPasswordChangeMixin, admin_forms.AdminPasswordChangeForm):
    pass
