"""A class's gradebook: each student's grade that counts for each assignment, on the page
and as a CSV file for spreadsheets."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from classrooms import grading
from classrooms.models import Assignment
from quizzes.marking import points_text
from quizzes.models import Attempt, Question

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def class_assignments(classroom) -> list:
    """The class's assignments with their quiz and its maximum score, in due order."""
    return list(classroom.assignments.select_related("quiz").annotate(quiz_max_score=full_marks()))


def full_marks() -> Subquery:
    """Per assignment, the points of the questions its attempts show: the current versions
    but those it keeps an older version of (Question.objects.shown_in), in one query."""
    kept = Assignment.kept_versions.through.objects.filter(assignment=OuterRef(OuterRef("pk")))
    shown = Question.objects.filter(quiz=OuterRef("quiz")).filter(
        (Q(is_current=True) & ~Exists(kept.filter(question__key=OuterRef("key"))))
        | Exists(kept.filter(question=OuterRef("pk")))
    )
    return Subquery(shown.order_by().values("quiz").annotate(total=Sum("points")).values("total"))


@dataclass
class GradebookRow:
    student: object
    cells: list[tuple[object, grading.Grade | None]]  # (assignment, grade that counts)

    @property
    def grades(self) -> list[grading.Grade | None]:
        return [grade for _assignment, grade in self.cells]


# An attempt's fields that grading.AttemptScore takes, in its order.
SCORE_FIELDS = ("started_at", "score", "max_score", "is_provisional")


def scored_attempts():
    return Attempt.objects.submitted().filter(score__isnull=False)


def grade_of(assignment, user_id) -> grading.Grade | None:
    """The grade that counts for one student at one assignment, as the gradebook has it."""
    submitted = scored_attempts().filter(assignment=assignment, user_id=user_id)
    scores = [grading.AttemptScore(*row) for row in submitted.values_list(*SCORE_FIELDS)]
    return grading.grade(assignment.grading_method, scores)


def gradebook_rows(classroom, assignments) -> list[GradebookRow]:
    """One row per enrolled student: the grade that counts for each assignment."""
    students = (
        get_user_model()
        .objects.filter(enrollments__classroom=classroom)
        .order_by("last_name", "first_name", "username")
    )
    scores = defaultdict(list)
    submitted = scored_attempts().filter(assignment__classroom=classroom)
    for user_id, assignment_id, *score in submitted.values_list(
        "user_id", "assignment_id", *SCORE_FIELDS
    ):
        scores[user_id, assignment_id].append(grading.AttemptScore(*score))
    return [
        GradebookRow(
            student,
            [(a, grading.grade(a.grading_method, scores[student.pk, a.pk])) for a in assignments],
        )
        for student in students
    ]


def spreadsheet_cell(value) -> str:
    """The value as text a spreadsheet shows as it is, never runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def spreadsheet_lines(classroom, assignments) -> list[list[str]]:
    """The gradebook as the CSV export's lines: a header, then a line per student."""
    header = [_("Username"), _("Last name"), _("First name"), _("Email")]
    header += [
        _("%(quiz)s (out of %(max)s)")
        % {"quiz": a.quiz, "max": points_text(a.quiz_max_score or Decimal(0))}
        for a in assignments
    ]
    header.append(_("Provisional (waits for marking)"))
    lines = [header]
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
        lines.append(cells)
    return [[spreadsheet_cell(cell) for cell in line] for line in lines]
