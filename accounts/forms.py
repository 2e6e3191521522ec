"""Logins, password changes and sign-ups, under the limits on guessing passwords."""

from django.contrib.admin import forms as admin_forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from quizsite import ratelimit


class LimitedLoginMixin:
    """Counts each login against the limits on wrong passwords before checking its password,
    and checks none once a limit is reached: a guesser gets a handful of tries, not
    millions, even sending them all at once. A login that succeeds doesn't count."""

    block = None  # the ratelimit.Block that refused this login, for the view's 429

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        slots = ratelimit.take(*ratelimit.password_checks(self.request, username))
        self.block = slots.block
        if self.block:
            raise ValidationError(self.block.message, code="rate_limited")
        cleaned_data = super().clean()  # a wrong password raises, keeping its slots
        slots.give_back()
        return cleaned_data


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
        slots = ratelimit.take(*ratelimit.password_checks(self.request, self.user.get_username()))
        self.block = slots.block
        if self.block:
            raise ValidationError(self.block.message, code="rate_limited")
        old_password = super().clean_old_password()  # a wrong one raises, keeping its slots
        slots.give_back()
        return old_password


class PasswordChangeForm(LimitedPasswordChangeMixin, auth_forms.PasswordChangeForm):
    pass


class AdminPasswordChangeForm(LimitedPasswordChangeMixin, admin_forms.AdminPasswordChangeForm):
    pass
