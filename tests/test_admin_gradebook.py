import csv
import io
import re
from decimal import Decimal

import pytest

from accounts.factories import UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory, EnrollmentFactory
from classrooms.models import Assignment
from quizzes import marking
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Question


@pytest.fixture
def graded_class(teacher, take_quiz):
    """Two students, two assignments: a 2-question quiz graded 'last' and an essay quiz."""
    classroom = ClassroomFactory(name="Orion Group", teachers=[teacher])
    quiz = QuizFactory(title="Wolf quiz")
    q1, q2 = (QuestionFactory(quiz=quiz, position=n) for n in (1, 2))
    essay_quiz = QuizFactory(title="Essay quiz")
    essay = QuestionFactory(
        quiz=essay_quiz, kind=Question.Kind.ESSAY, points=Decimal(4), choices=[]
    )
    last = AssignmentFactory(
        classroom=classroom,
        quiz=quiz,
        grading_method=Assignment.GradingMethod.LAST,
        attempts_allowed=3,
    )
    essays = AssignmentFactory(classroom=classroom, quiz=essay_quiz)
    ada = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    mae = UserFactory(username="mae", first_name="=HYPERLINK(1)", last_name="Jemison")
    for student in (ada, mae):
        EnrollmentFactory(classroom=classroom, student=student)
    right = {q: q.choices.get(is_correct=True).pk for q in (q1, q2)}
    wrong = {q: q.choices.get(is_correct=False).pk for q in (q1, q2)}
    take_quiz(last, ada, {q1: right[q1], q2: right[q2]})  # 2
    take_quiz(last, ada, {q1: right[q1], q2: wrong[q2]})  # 1: the last counts
    take_quiz(last, mae, {q1: right[q1], q2: right[q2]})  # 2
    essay_attempt = take_quiz(essays, ada, {essay: "Because of the amendment."})
    return classroom, essay_attempt


def cells(page_text: str) -> list[list[str]]:
    body = page_text.split('id="gradebook"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            re.sub(r"<[^>]+>|\s+", " ", cell).split()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def test_gradebook_shows_the_grade_that_counts_and_flags_provisional_marks(
    teacher_client, graded_class
):
    classroom, _essay_attempt = graded_class
    page = teacher_client.get(f"/admin/classrooms/classroom/{classroom.pk}/gradebook/")
    assert page.status_code == 200
    rows = cells(page.text)
    ada = next(row for row in rows if "Lovelace" in row[0])
    mae = next(row for row in rows if "Jemison" in row[0])
    assert ada[1][:3] == ["1", "/", "2"]  # last attempt, not the best
    assert "2 attempts" in " ".join(ada[1])
    assert ada[2][:4] == ["0", "/", "4", "*"]  # the essay waits for marking
    assert mae[1][:3] == ["2", "/", "2"]
    assert mae[2] == ["—"]
    assert "provisional" in page.text


def test_marking_the_essay_makes_the_gradebook_grade_final(teacher_client, teacher, graded_class):
    classroom, essay_attempt = graded_class
    marking.mark(essay_attempt.responses.get(), Decimal(3), by=teacher)
    page = teacher_client.get(f"/admin/classrooms/classroom/{classroom.pk}/gradebook/")
    ada = next(row for row in cells(page.text) if "Lovelace" in row[0])
    assert ada[2][:3] == ["3", "/", "4"]


def test_gradebook_csv_opens_cleanly_in_a_spreadsheet(teacher_client, graded_class):
    classroom, _essay_attempt = graded_class
    export = teacher_client.get(f"/admin/classrooms/classroom/{classroom.pk}/gradebook.csv")

    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="gradebook-orion-group.csv"' in export["Content-Disposition"]
    assert export.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Username",
        "Last name",
        "First name",
        "Email",
        "Wolf quiz (out of 2)",
        "Essay quiz (out of 4)",
        "Provisional (waits for marking)",
    ]
    assert rows[1] == ["mae", "Jemison", "'=HYPERLINK(1)", "", "2.00", "", ""]
    assert rows[2] == ["ada", "Lovelace", "Ada", "", "1.00", "0.00", "Essay quiz"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(start):
    from classrooms.gradebook import spreadsheet_cell

    assert spreadsheet_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"
    assert spreadsheet_cell("Ada") == "Ada"
    assert spreadsheet_cell(Decimal("1.50")) == "1.50"
    assert spreadsheet_cell(None) == ""


def test_gradebook_of_a_class_without_assignments_says_what_to_do(teacher_client, teacher):
    classroom = ClassroomFactory(teachers=[teacher])
    page = teacher_client.get(f"/admin/classrooms/classroom/{classroom.pk}/gradebook/")
    assert "This class has no assignments yet." in page.text
