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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from classrooms import grading, roster
from classrooms.models import Enrollment
from quizzes import scoring, statistics
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
            "Line %(line)s: %(email)s already has an account; ask the student to join "
            "with the class code."
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
        Enrollment(classroom=classroom, student=user) for user, _password in created
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
            for user, _password in created:
                model_admin.log_addition(request, user, _("Imported into %s") % classroom)
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
        choice_kinds = question.kind in scoring.CHOICE_KINDS
        summary = statistics.summarise_question(
            question.points,
            outcomes[question.pk],
            totals,
            [c.pk for c in choices] if choice_kinds else [],
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
                if choice_kinds
                else [],
                statistics.text_frequencies(
                    o.answer for o in outcomes[question.pk].values() if o and o.answer is not None
                )
                if question.kind in (Question.Kind.SHORT_TEXT, Question.Kind.NUMERIC)
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
