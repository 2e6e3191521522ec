"""Students' accounts as teachers manage them: first passwords, emails a class list may
not use, the roster on the class page, and how a student is named."""

import secrets

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

# Easy to read aloud and to type: no 0/o, 1/l/i.
PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def new_password() -> str:
    """A first password, read out or handed over on paper: 3 groups of 4 characters."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def imported_before(classroom, rows) -> set[str]:
    """The emails of `rows` that an earlier class list import into `classroom` made an
    account for, or will (it is still running): a list sent again skips them."""
    emails = {row.email for row in rows}
    found = set()
    for roster_import in classroom.roster_imports.prefetch_related("students"):
        made = {entry.line for entry in roster_import.students.all() if entry.student_id}
        for row in roster_import.rows:
            if row["email"] in emails and (row["line"] in made or not roster_import.is_finished):
                found.add(row["email"])
    return found


def taken_emails(rows) -> list[str]:
    """A problem for each student of a class list whose email already names an account."""
    emails = {row.email for row in rows}
    User = get_user_model()
    taken = set(
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", flat=True)
    ) | set(
        User.objects.annotate(name_lower=Lower("username"))
        .filter(name_lower__in=emails)
        .values_list("name_lower", flat=True)
    )
    return [
        _(
            "Line %(line)s: %(email)s already has an account; add it with “Add a student "
            "by username” on the class page, or ask the student to join with the class code."
        )
        % {"line": row.line, "email": row.email}
        for row in rows
        if row.email in taken
    ]


def roster_rows(classroom, teacher) -> list[dict]:
    """The class's students for its page, each with whether `teacher` may give them a new
    password (see EnrollmentQuerySet.password_resettable_by)."""
    enrollments = classroom.enrollments.select_related("student").order_by(
        "student__last_name", "student__first_name", "student__username"
    )
    resettable = set(
        classroom.enrollments.password_resettable_by(teacher).values_list("pk", flat=True)
    )
    return [{"enrollment": e, "may_reset": e.pk in resettable} for e in enrollments]


def user_label(user) -> str:
    """How a person is named to teachers: "Ada Lovelace (ada)", or the username alone."""
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()
