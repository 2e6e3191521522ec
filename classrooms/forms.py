from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from classrooms import roster, students
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


class RosterForm(forms.Form):
    """A class list for `classroom`; students an earlier import into it made (or is making)
    are skipped, so a list sent twice makes nobody twice (`skipped` counts them)."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "First line: name,email (or first name,last name,email); then one student a line."
        ),
    )
    MAX_BYTES = 1_000_000

    def __init__(self, *args, classroom, **kwargs):
        self.classroom = classroom
        self.skipped = 0
        super().__init__(*args, **kwargs)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is too big for a class list (over 1 MB)."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”.")
            ) from None
        rows, problems = roster.read_roster(text)
        if problems:
            raise forms.ValidationError(problems)
        before = students.imported_before(self.classroom, rows)
        self.skipped = len(before)
        rows = [row for row in rows if row.email not in before]
        if not rows:
            raise forms.ValidationError(
                _("Every student on this list was imported into this class already.")
            )
        if problems := students.taken_emails(rows):
            raise forms.ValidationError(problems)
        return rows


class AddStudentForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_(
            "The whole username, as the student logs in with it (for imported students, "
            "their email)."
        ),
    )

    def __init__(self, *args, classroom, **kwargs):
        self.classroom = classroom
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        # Exact but for case, which sign-up keeps unique: no search, no partial match, so
        # the form tells nothing about accounts whose username the teacher doesn't know.
        matches = list(
            get_user_model().objects.filter(
                username__iexact=username, is_active=True, is_staff=False, is_superuser=False
            )[:2]
        )
        exact = [user for user in matches if user.get_username() == username]
        student = exact[0] if exact else matches[0] if len(matches) == 1 else None
        if student is None:
            raise forms.ValidationError(
                _(
                    "No student has the username “%(username)s”. Check it with the student, "
                    "or import new students from a class list."
                ),
                params={"username": username},
            )
        if self.classroom.enrollments.filter(student=student).exists():
            raise forms.ValidationError(
                _("%(username)s is already in this class."), params={"username": username}
            )
        self.student = student
        return username
