from django import forms
from django.contrib.admin import forms as admin_forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from classrooms.models import Classroom
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


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=20,
        help_text=_("Letters and digits from your teacher, for example K7MQ-2DXP."),
    )

    def clean_code(self):
        # Forgive what people do when copying a code: spaces, dashes, lower case.
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").upper()
        try:
            self.classroom = Classroom.objects.get(join_code=code)
        except Classroom.DoesNotExist:
            raise forms.ValidationError(
                _("No class has the code %(code)s. Check it with your teacher."),
                code="unknown",
                params={"code": code},
            ) from None
        return code
