import math
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.factories import UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory, EnrollmentFactory
from quizzes import statistics
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Question, Response
from quizzes.statistics import Outcome

D = Decimal


def test_facility_is_the_mean_score_as_a_share_of_the_points():
    assert statistics.facility_index([D(2), D(1), D(0)], D(2)) == pytest.approx(0.5)
    assert statistics.facility_index([], D(2)) is None


def test_discrimination_correlates_the_question_with_the_rest_of_the_test():
    # rest = total - question = [2, 1, 1, 2]; Pearson's r worked by hand = 0.5 / sqrt(0.75).
    r = statistics.discrimination_index([D(1), D(0), D(1), D(1)], [D(3), D(1), D(2), D(3)])
    assert r == pytest.approx(0.5 / math.sqrt(0.75))


def test_discrimination_is_none_for_one_student_or_no_variation():
    assert statistics.discrimination_index([D(1)], [D(3)]) is None
    assert statistics.discrimination_index([D(1), D(1)], [D(2), D(3)]) is None
    assert statistics.discrimination_index([D(0), D(1)], [D(2), D(3)]) is None  # rest all 2


def test_choice_frequencies_count_single_and_multiple_answers():
    assert statistics.choice_frequencies([7, 8, 7, [7, 9], [9, 9]], [7, 8, 9]) == {
        7: 3,
        8: 1,
        9: 2,
    }


def test_average_time_is_the_mean_of_the_seconds():
    assert statistics.average_time([30, 60, 90]) == 60
    assert statistics.average_time([]) is None


def test_histogram_puts_full_marks_in_the_top_band():
    assert statistics.histogram([0, 9.9, 10, 55, 100]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 1]


def test_summary_counts_unanswered_as_zero_and_leaves_out_answers_waiting_for_a_teacher():
    outcomes = {1: Outcome(D(1), 5, 20), 2: None, 3: Outcome(None, "essay", 40)}
    summary = statistics.summarise_question(D(1), outcomes, {1: D(3), 2: D(1), 3: D(2)})
    assert (summary.attempts, summary.answered, summary.waiting) == (3, 2, 1)
    assert summary.facility == pytest.approx(0.5)  # (1 + 0) / 2
    assert summary.average_seconds == 30


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 20)), min_size=2, max_size=30))
def test_discrimination_is_between_minus_one_and_one(pairs):
    points = [D(q) for q, _rest in pairs]
    totals = [D(q + rest) for q, rest in pairs]
    r = statistics.discrimination_index(points, totals)
    assert r is None or -1 - 1e-9 <= r <= 1 + 1e-9


@pytest.mark.django_db
def test_statistics_page_shows_the_figures_worked_by_hand(teacher_client, teacher, take_quiz):
    quiz = QuizFactory()
    q1 = QuestionFactory(quiz=quiz, position=1, points=D(1))
    q2 = QuestionFactory(quiz=quiz, position=2, points=D(2))
    classroom = ClassroomFactory(teachers=[teacher])
    assignment = AssignmentFactory(classroom=classroom, quiz=quiz)
    right = {q: q.choices.get(is_correct=True).pk for q in (q1, q2)}
    wrong = {q: q.choices.get(is_correct=False).pk for q in (q1, q2)}
    answers = {
        "ann": {q1: right[q1], q2: right[q2]},  # 3 of 3
        "ben": {q1: right[q1], q2: wrong[q2]},  # 1 of 3
        "cat": {q1: wrong[q1], q2: wrong[q2]},  # 0 of 3
    }
    for (name, given_answers), seconds in zip(answers.items(), (30, 60, 90), strict=True):
        student = UserFactory(username=name)
        EnrollmentFactory(classroom=classroom, student=student)
        attempt = take_quiz(assignment, student, given_answers)
        Response.objects.filter(attempt=attempt, question=q1).update(seconds_spent=seconds)

    page = teacher_client.get(f"/admin/classrooms/assignment/{assignment.pk}/statistics/")

    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "3 submitted attempts by 3 students." in text
    rows = re.findall(r"<tr>.*?</tr>", text.split('id="question-statistics"')[1])[1:]
    # q1: facility (1+1+0)/3 = 67 %; q = [1,1,0], rest = [2,0,0]: r = (2/3) / (4/3) = 0.50.
    assert "67 %" in rows[0] and "0.50" in rows[0]
    assert "✓ Right</strong>: 2 (67 %)" in rows[0] and "Wrong: 1 (33 %)" in rows[0]
    assert "60 s" in rows[0]
    # q2: facility (2+0+0)/(3*2) = 33 %; q = [2,0,0], rest = [1,1,0]: r = 0.50.
    assert "33 %" in rows[1] and "0.50" in rows[1]
    # The chart: one attempt in 0-10 %, one in 30-40 %, one in 90-100 %.
    bars = re.findall(r"(\d+)–\d+ %: (\d+) attempt", text)
    assert [int(count) for _band, count in bars] == [1, 0, 0, 1, 0, 0, 0, 0, 0, 1]


@pytest.mark.django_db
def test_statistics_page_without_submitted_attempts_says_so(teacher_client, teacher):
    assignment = AssignmentFactory(classroom=ClassroomFactory(teachers=[teacher]))
    QuestionFactory(quiz=assignment.quiz, kind=Question.Kind.ESSAY, choices=[])
    page = teacher_client.get(f"/admin/classrooms/assignment/{assignment.pk}/statistics/")
    assert "No attempt has been submitted yet" in page.text
