from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from classrooms.models import Classroom
from quizsite import ratelimit


class LimitedLoginMixin:
    """Checks no password while the visitor's IP or the username has had too many failed
    logins, and counts each failure: a guesser gets a handful of tries, not millions."""

    block = None  # the ratelimit.Block that refused this login, for the view's 429

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        checks = (
            (ratelimit.LOGIN_PER_IP, ratelimit.client_ip(self.request)),
            (ratelimit.LOGIN_PER_ACCOUNT, username.casefold()),
        )
        self.block = ratelimit.blocked(*checks)
        if self.block:
            raise ValidationError(self.block.message, code="rate_limited")
        try:
            return super().clean()
        except ValidationError:
            ratelimit.hit(*checks)
            raise


class LoginForm(LimitedLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(LimitedLoginMixin, AdminAuthenticationForm):
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
