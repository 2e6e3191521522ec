"""Admin pages of a class and an assignment: gradebook, CSV export, roster import, statistics.

Each view takes the ModelAdmin it is registered on (through get_urls) and finds its
object with `model_admin.get_object`, so a teacher reaches only their own classes.
"""

import csv
import secrets
import statistics as stdlib_statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from classrooms import grading, roster
from classrooms.models import Enrollment
from quizzes import statistics
from quizzes.marking import points_text
from quizzes.models import Attempt, Question, Response

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Easy to read aloud and to type: no 0/o, 1/l/i.
PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def own_object_or_404(request, model_admin, object_id, *, change=False):
    """The object if this user's admin reaches it (404 otherwise) and may view it, or
    change it when `change` (403 otherwise)."""
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404(_("No such object, or not one of yours."))
    allowed = model_admin.has_change_permission if change else model_admin.has_view_permission
    if not allowed(request, obj):
        raise PermissionDenied
    return obj


def admin_context(request, model_admin, title, obj, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "subtitle": None,
        "original": obj,
        **extra,
    }


# Gradebook


def class_assignments(classroom) -> list:
    """The class's assignments with their quiz and its maximum score, in due order."""
    return list(
        classroom.assignments.select_related("quiz").annotate(
            quiz_max_score=Sum("quiz__questions__points")
        )
    )


@dataclass
class GradebookRow:
    student: object
    cells: list[tuple[object, grading.Grade | None]]  # (assignment, grade that counts)

    @property
    def grades(self) -> list[grading.Grade | None]:
        return [grade for _assignment, grade in self.cells]


def gradebook_rows(classroom, assignments) -> list[GradebookRow]:
    """One row per enrolled student: the grade that counts for each assignment."""
    students = (
        get_user_model()
        .objects.filter(enrollments__classroom=classroom)
        .order_by("last_name", "first_name", "username")
    )
    scores = defaultdict(list)
    submitted = Attempt.objects.submitted().filter(
        assignment__classroom=classroom, score__isnull=False
    )
    for user_id, assignment_id, started_at, score, max_score, provisional in submitted.values_list(
        "user_id", "assignment_id", "started_at", "score", "max_score", "is_provisional"
    ):
        scores[user_id, assignment_id].append(
            grading.AttemptScore(started_at, score, max_score, provisional)
        )
    return [
        GradebookRow(
            student,
            [(a, grading.grade(a.grading_method, scores[student.pk, a.pk])) for a in assignments],
        )
        for student in students
    ]


@require_GET
def gradebook(request, model_admin, object_id):
    classroom = own_object_or_404(request, model_admin, object_id)
    assignments = class_assignments(classroom)
    rows = gradebook_rows(classroom, assignments)
    context = admin_context(
        request,
        model_admin,
        _("Gradebook: %(class)s") % {"class": classroom},
        classroom,
        assignments=assignments,
        rows=rows,
        has_provisional=any(g and g.is_provisional for row in rows for g in row.grades),
    )
    return TemplateResponse(request, "admin/classrooms/classroom/gradebook.html", context)


def spreadsheet_cell(value) -> str:
    """The value as text a spreadsheet shows as it is, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@require_GET
def gradebook_csv(request, model_admin, object_id):
    classroom = own_object_or_404(request, model_admin, object_id)
    assignments = class_assignments(classroom)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"gradebook-{slugify(classroom.name) or classroom.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # the BOM tells spreadsheets the file is UTF-8
    writer = csv.writer(response)
    header = [_("Username"), _("Last name"), _("First name"), _("Email")]
    header += [
        _("%(quiz)s (out of %(max)s)")
        % {"quiz": a.quiz, "max": points_text(a.quiz_max_score or Decimal(0))}
        for a in assignments
    ]
    header.append(_("Provisional (waits for marking)"))
    writer.writerow(spreadsheet_cell(cell) for cell in header)
    for row in gradebook_rows(classroom, assignments):
        student = row.student
        cells = [student.get_username(), student.last_name, student.first_name, student.email]
        cells += [grade.score if grade else "" for grade in row.grades]
        cells.append(
            "; ".join(
                str(a.quiz)
                for a, grade in zip(assignments, row.grades, strict=True)
                if grade and grade.is_provisional
            )
        )
        writer.writerow(spreadsheet_cell(cell) for cell in cells)
    return response


# Roster


class RosterForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "First line: name,email (or first name,last name,email); then one student a line."
        ),
    )
    MAX_BYTES = 1_000_000

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
        if not problems:
            problems = taken_emails(rows)
        if problems:
            raise forms.ValidationError(problems)
        return rows


def taken_emails(rows) -> list[str]:
    """A problem for each student whose email already names an account."""
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


def new_password() -> str:
    """A first password, read out or handed over on paper: 3 groups of 4 characters."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


@transaction.atomic
def create_students(classroom, rows) -> list[tuple[object, str]]:
    """An account for each row, enrolled in the class; with its first password."""
    User = get_user_model()
    created = []
    for row in rows:
        password = new_password()
        user = User.objects.create_user(
            username=row.email,
            email=row.email,
            password=password,
            first_name=row.first_name,
            last_name=row.last_name,
        )
        created.append((user, password))
    Enrollment.objects.bulk_create(
        Enrollment(classroom=classroom, student=user, origin=Enrollment.Origin.CLASS_LIST)
        for user, _password in created
    )
    return created


@require_http_methods(["GET", "POST"])
def import_roster(request, model_admin, object_id):
    classroom = own_object_or_404(request, model_admin, object_id, change=True)
    form = RosterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = create_students(classroom, form.cleaned_data["file"])
        except IntegrityError:
            form.add_error(
                None, _("Someone created one of these accounts meanwhile; nothing was imported.")
            )
        else:
            # Logged on the class, whose history teachers can open (not the accounts').
            model_admin.log_change(
                request,
                classroom,
                ngettext(
                    "Imported %(count)d student from a class list",
                    "Imported %(count)d students from a class list",
                    len(created),
                )
                % {"count": len(created)},
            )
            context = admin_context(
                request,
                model_admin,
                _("New students in %(class)s") % {"class": classroom},
                classroom,
                created=created,
            )
            # The passwords are shown this once and kept nowhere: no cache may keep them.
            response = TemplateResponse(
                request, "admin/classrooms/classroom/roster_created.html", context
            )
            add_never_cache_headers(response)
            return response
    context = admin_context(
        request,
        model_admin,
        _("Import students into %(class)s") % {"class": classroom},
        classroom,
        form=form,
    )
    return TemplateResponse(request, "admin/classrooms/classroom/roster_import.html", context)


@require_http_methods(["GET", "POST"])
def regenerate_join_code(request, model_admin, object_id):
    """A confirmation page; posting it gives the class a new code."""
    classroom = own_object_or_404(request, model_admin, object_id, change=True)
    if request.method == "GET":
        context = admin_context(
            request, model_admin, _("New join code for %(class)s") % {"class": classroom}, classroom
        )
        return TemplateResponse(request, "admin/classrooms/classroom/join_code.html", context)
    classroom.regenerate_join_code()
    model_admin.log_change(request, classroom, _("New join code"))
    messages.success(
        request,
        _("The new join code is %(code)s; the old one no longer works.")
        % {"code": classroom.join_code},
    )
    return redirect("admin:classrooms_classroom_change", classroom.pk)


# Helping students: the roster, adding an account by username, a new password, removing


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


def enrollment_or_404(classroom, student_id) -> Enrollment:
    """The student's place in this class. Anyone else, a student of another class among
    them, answers exactly as an id that exists nowhere."""
    enrollment = (
        classroom.enrollments.select_related("student").filter(student_id=student_id).first()
    )
    if enrollment is None:
        raise Http404(_("No such student in this class."))
    return enrollment


class AddStudentForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        help_text=gettext_lazy(
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


@require_http_methods(["GET", "POST"])
def add_student(request, model_admin, object_id):
    classroom = own_object_or_404(request, model_admin, object_id, change=True)
    form = AddStudentForm(request.POST or None, classroom=classroom)
    if request.method == "POST" and form.is_valid():
        student = form.student
        _enrollment, created = Enrollment.objects.get_or_create(
            classroom=classroom, student=student, defaults={"origin": Enrollment.Origin.USERNAME}
        )
        if created:  # else another teacher added them a moment ago
            model_admin.log_change(
                request, classroom, _("Added %s by username") % student.get_username()
            )
        messages.success(
            request,
            _("%(student)s is now in %(class)s. Their password stays their own.")
            % {"student": user_label(student), "class": classroom},
        )
        return redirect("admin:classrooms_classroom_change", classroom.pk)
    context = admin_context(
        request,
        model_admin,
        _("Add a student to %(class)s") % {"class": classroom},
        classroom,
        form=form,
    )
    return TemplateResponse(request, "admin/classrooms/classroom/student_add.html", context)


def user_label(user) -> str:
    """How a person is named to teachers: "Ada Lovelace (ada)", or the username alone."""
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


@require_http_methods(["GET", "POST"])
def student_password(request, model_admin, object_id, student_id):
    """A confirmation page; posting it gives the student a new password, shown this once.

    set_password changes the password hash, which every session's auth hash is checked
    against on each request, so the student is logged out everywhere, whichever store
    (database, cache) holds the sessions.
    """
    classroom = own_object_or_404(request, model_admin, object_id, change=True)
    enrollment = enrollment_or_404(classroom, student_id)
    student = enrollment.student
    may_reset = (
        classroom.enrollments.password_resettable_by(request.user).filter(pk=enrollment.pk).exists()
    )
    if request.method == "POST" and may_reset:
        password = new_password()
        student.set_password(password)
        student.save(update_fields=["password"])
        model_admin.log_change(
            request, classroom, _("New password for %s") % student.get_username()
        )
        context = admin_context(
            request,
            model_admin,
            _("New password for %(student)s") % {"student": user_label(student)},
            classroom,
            student=student,
            password=password,
        )
        # Shown this once and kept nowhere: no cache may keep it.
        response = TemplateResponse(
            request, "admin/classrooms/classroom/student_password_done.html", context
        )
        add_never_cache_headers(response)
        return response
    context = admin_context(
        request,
        model_admin,
        _("New password for %(student)s") % {"student": user_label(student)},
        classroom,
        student=student,
        may_reset=may_reset,
    )
    return TemplateResponse(
        request,
        "admin/classrooms/classroom/student_password.html",
        context,
        status=403 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def remove_student(request, model_admin, object_id, student_id):
    """A confirmation page saying what happens to the student's work; posting it removes
    the student from the class (the account and every attempt stay)."""
    classroom = own_object_or_404(request, model_admin, object_id, change=True)
    enrollment = enrollment_or_404(classroom, student_id)
    student = enrollment.student
    if request.method == "POST":
        enrollment.delete()
        model_admin.log_change(
            request, classroom, _("Removed %s from the class") % student.get_username()
        )
        messages.success(
            request,
            _("%(student)s is no longer in %(class)s; their attempts are kept.")
            % {"student": user_label(student), "class": classroom},
        )
        return redirect("admin:classrooms_classroom_change", classroom.pk)
    attempts = Attempt.objects.filter(assignment__classroom=classroom, user=student)
    context = admin_context(
        request,
        model_admin,
        _("Remove %(student)s from %(class)s?")
        % {"student": user_label(student), "class": classroom},
        classroom,
        student=student,
        submitted=attempts.submitted().count(),
        in_progress=attempts.in_progress().count(),
    )
    return TemplateResponse(request, "admin/classrooms/classroom/student_remove.html", context)


# Statistics

CHART_WIDTH, CHART_HEIGHT, CHART_BASE = 600, 180, 200


@dataclass
class QuestionRow:
    question: Question
    summary: statistics.QuestionSummary
    choices: list[dict]
    typed: list[tuple[str, int]]


def chart_bars(counts: list[int]) -> list[dict]:
    """Bars of the score chart in SVG coordinates, tallest bar filling the height."""
    top = max(counts, default=0) or 1
    band = 100 // len(counts)
    step = CHART_WIDTH / len(counts)
    bars = []
    for i, count in enumerate(counts):
        height = round(count / top * CHART_HEIGHT, 1)
        bars.append(
            {
                "x": round(i * step + 3, 1),
                "width": round(step - 6, 1),
                "y": round(CHART_BASE - height, 1),
                "height": height,
                "count": count,
                "count_y": round(CHART_BASE - height - 5, 1),
                "label_x": round(i * step + step / 2, 1),
                "label": f"{i * band}–{(i + 1) * band}",
            }
        )
    return bars


@require_GET
def assignment_statistics(request, model_admin, object_id):
    assignment = own_object_or_404(request, model_admin, object_id)
    attempts = list(
        assignment.attempts.submitted()
        .filter(score__isnull=False)
        .values_list("pk", "user_id", "score", "max_score")
    )
    totals = {pk: score for pk, _user, score, _max in attempts}
    percents = [float(score / top * 100) for _pk, _user, score, top in attempts if top]
    questions = list(assignment.quiz.questions.prefetch_related("choices"))
    outcomes = {q.pk: dict.fromkeys(totals) for q in questions}
    # Unordered: Response's default ordering joins the attempts and questions of the
    # whole school, which PostgreSQL then scans in full.
    answers = Response.objects.filter(attempt__in=list(totals), answer__isnull=False).order_by()
    for attempt_id, question_id, points, answer, seconds in answers.values_list(
        "attempt_id", "question_id", "points", "answer", "seconds_spent"
    ):
        if question_id in outcomes:
            outcomes[question_id][attempt_id] = statistics.Outcome(points, answer, seconds)
    rows = []
    for question in questions:
        choices = list(question.choices.all())
        kind = question.kind_rules
        summary = statistics.summarise_question(
            question.points,
            outcomes[question.pk],
            totals,
            [c.pk for c in choices] if kind.counts_choices else [],
        )
        answered = summary.answered or 1
        rows.append(
            QuestionRow(
                question,
                summary,
                [
                    {
                        "choice": c,
                        "count": summary.choice_counts[c.pk],
                        "percent": round(100 * summary.choice_counts[c.pk] / answered),
                    }
                    for c in choices
                ]
                if kind.counts_choices
                else [],
                statistics.text_frequencies(
                    o.answer for o in outcomes[question.pk].values() if o and o.answer is not None
                )
                if kind.counts_texts
                else [],
            )
        )
    counts = statistics.histogram(percents)
    context = admin_context(
        request,
        model_admin,
        _("Statistics: %(assignment)s") % {"assignment": assignment},
        assignment,
        assignment=assignment,
        attempt_count=len(attempts),
        student_count=len({user for _pk, user, _score, _max in attempts}),
        mean=stdlib_statistics.fmean(percents) if percents else None,
        median=stdlib_statistics.median(percents) if percents else None,
        bars=chart_bars(counts),
        chart={"width": CHART_WIDTH, "base": CHART_BASE, "label_y": CHART_BASE + 18},
        rows=rows,
    )
    return TemplateResponse(request, "admin/classrooms/assignment/statistics.html", context)
