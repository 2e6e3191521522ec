from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.factories import UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory
from quizzes import kinds, marking
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Attempt, Choice, Question, Response, ScoreChange

D = Decimal


@pytest.fixture
def essay_quiz(db):
    """A quiz with a 1-point single-choice question and a 4-point essay."""
    quiz = QuizFactory()
    QuestionFactory(quiz=quiz, position=1)
    QuestionFactory(quiz=quiz, position=2, kind=Question.Kind.ESSAY, points=D(4), choices=[])
    return quiz


@pytest.fixture
def essay_attempt(essay_quiz, teacher, take_quiz):
    single, essay = essay_quiz.questions.all()
    assignment = AssignmentFactory(quiz=essay_quiz, classroom=ClassroomFactory(teachers=[teacher]))
    return take_quiz(
        assignment,
        UserFactory(),
        {single: single.choices.get(is_correct=True).pk, essay: "The Wolf Amendment."},
    )


def essay_response(attempt):
    return attempt.responses.get(question__kind=Question.Kind.ESSAY)


def test_an_attempt_with_an_essay_is_provisional_until_marked(essay_attempt):
    assert essay_attempt.is_provisional
    assert essay_attempt.score == D(1)


def test_marking_adds_the_points_to_the_total_and_clears_the_provisional_flag(
    essay_attempt, teacher
):
    response = essay_response(essay_attempt)
    marking.mark(response, D("3.5"), by=teacher, comment="Good, but name the year.")

    essay_attempt.refresh_from_db()
    assert essay_attempt.score == D("4.5")
    assert not essay_attempt.is_provisional
    response.refresh_from_db()
    assert response.comment == "Good, but name the year."
    change = ScoreChange.objects.get(response=response)
    assert (change.changed_by, change.old_points, change.new_points) == (teacher, None, D("3.5"))
    assert change.reason == "Marked by hand"


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (D("-1"), "can't be negative"),
        (D("4.5"), "at most 4.00 points"),
        (D("1.005"), "two decimal places"),
        (None, "Enter the points"),
    ],
)
def test_a_score_out_of_range_is_refused_and_changes_nothing(
    essay_attempt, teacher, points, message
):
    response = essay_response(essay_attempt)
    with pytest.raises(ValidationError, match=message):
        marking.mark(response, points, by=teacher)
    response.refresh_from_db()
    essay_attempt.refresh_from_db()
    assert response.points is None
    assert essay_attempt.is_provisional
    assert not ScoreChange.objects.exists()


def test_override_needs_a_reason_and_keeps_it(essay_attempt, teacher):
    single = essay_attempt.responses.get(question__kind=Question.Kind.SINGLE)
    with pytest.raises(ValidationError, match="Say why"):
        marking.override(single, D("0.5"), by=teacher, reason="  ")
    assert not ScoreChange.objects.exists()

    marking.override(single, D("0.5"), by=teacher, reason="Right choice, wrong working.")

    change = ScoreChange.objects.get()
    assert (change.old_points, change.new_points) == (D(1), D("0.5"))
    assert change.reason == "Right choice, wrong working."
    essay_attempt.refresh_from_db()
    assert essay_attempt.score == D("0.5")


def test_checking_an_automatic_score_without_changing_it_leaves_no_record(essay_attempt, teacher):
    single = essay_attempt.responses.get(question__kind=Question.Kind.SINGLE)
    single.needs_review = True
    single.save()
    marking.mark(single, D(1), by=teacher)
    single.refresh_from_db()
    assert not single.needs_review
    assert not ScoreChange.objects.exists()


def test_an_attempt_in_progress_cannot_be_marked(essay_quiz, teacher):
    attempt = Attempt.objects.create(quiz=essay_quiz, user=UserFactory())
    essay = essay_quiz.questions.get(kind=Question.Kind.ESSAY)
    response = attempt.save_answer(essay, "Still writing")
    with pytest.raises(ValidationError, match="still answering"):
        marking.mark(response, D(2), by=teacher)


@pytest.fixture
def keyed_class(teacher, take_quiz):
    """Four students answered a multiple-response question (A, B right; C wrong) and a
    single-choice one; returns (assignment, multiple question)."""
    quiz = QuizFactory()
    multiple = QuestionFactory(
        quiz=quiz,
        position=1,
        kind=Question.Kind.MULTIPLE,
        points=D(3),
        choices=[("A", True), ("B", True), ("C", False)],
    )
    single = QuestionFactory(quiz=quiz, position=2)
    assignment = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[teacher]))
    a, b, c = multiple.choices.all()
    right = single.choices.get(is_correct=True).pk
    for ticked in ([a.pk, b.pk], [a.pk], [a.pk, c.pk], [c.pk]):
        take_quiz(assignment, UserFactory(), {multiple: ticked, single: right})
    return assignment, multiple


def scratch_total(attempt) -> Decimal:
    """The attempt's total scored from scratch with today's keys."""
    total = D(0)
    for response in attempt.responses.select_related("question"):
        key = response.question.answer_key()
        total += kinds.score(
            key, kinds.clean_answer(key, response.answer), response.question.points
        )
    return total


def test_regrade_after_a_key_change_gives_the_totals_scoring_from_scratch_gives(
    keyed_class, teacher
):
    assignment, multiple = keyed_class
    Choice.objects.filter(question=multiple, text="C").update(is_correct=True)
    Choice.objects.filter(question=multiple, text="B").update(is_correct=False)
    multiple.points = D(4)
    multiple.save()
    attempts = Attempt.objects.filter(assignment=assignment)
    before = {a.pk: a.score for a in attempts}

    dry_run = marking.regrade(multiple, attempts, by=teacher, dry_run=True)

    assert {a.pk: a.score for a in attempts} == before  # nothing written
    assert not ScoreChange.objects.exists()
    assert dry_run.checked == 4

    report = marking.regrade(multiple, attempts, by=teacher, dry_run=False)

    assert len(report.changes) == len(dry_run.changes)
    assert report.total_delta == dry_run.total_delta
    for attempt in attempts.all():
        assert attempt.score == scratch_total(attempt)
        assert attempt.max_score == D(5)
    assert ScoreChange.objects.count() == len(report.changes)


def test_regrade_reports_how_many_scores_change_and_by_how_much(keyed_class, teacher):
    assignment, multiple = keyed_class
    Choice.objects.filter(question=multiple, text="C").update(is_correct=True)
    # Key A, B, C all right: [A,B] 2/3 of 3 = 2, [A] 1, [A,C] 2, [C] 1, total 6
    # (before, C wrong: [A,B] 3, [A] 1.5, [A,C] 1.5 - 3 = 0, [C] 0, total 4.5).
    report = marking.regrade(
        multiple, Attempt.objects.filter(assignment=assignment), by=teacher, dry_run=True
    )
    assert len(report.changes) == 4
    assert (report.raised, report.lowered) == (2, 2)
    assert report.total_delta == D("1.5")


def test_regrade_leaves_essays_marked_by_hand(essay_attempt, teacher):
    response = essay_response(essay_attempt)
    marking.mark(response, D(3), by=teacher)
    report = marking.regrade(response.question, Attempt.objects.all(), by=teacher, dry_run=False)
    assert report.checked == 0
    response.refresh_from_db()
    assert response.points == D(3)


def test_regrade_scores_an_answer_whose_choice_was_removed_zero(keyed_class, teacher):
    assignment, multiple = keyed_class
    Choice.objects.filter(question=multiple, text="C").delete()
    report = marking.regrade(
        multiple, Attempt.objects.filter(assignment=assignment), by=teacher, dry_run=False
    )
    assert report.unfit == 2


def test_regrade_keeps_a_score_a_teacher_gave_by_hand(keyed_class, teacher):
    assignment, multiple = keyed_class
    attempts = Attempt.objects.filter(assignment=assignment)
    overridden = Response.objects.filter(question=multiple).order_by("pk").last()  # ticked C
    marking.override(overridden, D("0.5"), by=teacher, reason="Partly right reasoning")
    Choice.objects.filter(question=multiple, text="C").update(is_correct=True)

    report = marking.regrade(multiple, attempts, by=teacher, dry_run=False)

    assert report.kept == 1 and report.checked == 3
    overridden.refresh_from_db()
    assert overridden.points == D("0.5")
    # A second regrade still checks the answers that the first one rescored.
    assert marking.regrade(multiple, attempts, by=teacher).checked == 3
