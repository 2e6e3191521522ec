from django import forms
from django.utils.translation import gettext_lazy as _

from classrooms.models import Classroom


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
