from decimal import Decimal

import pytest

from accounts.factories import UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Attempt, Question, Response, ScoreChange


@pytest.fixture
def essays(teacher, take_quiz):
    """Two students' submitted essays (4 points each) on one assignment, in marking order."""
    quiz = QuizFactory(title="Wolf quiz")
    essay = QuestionFactory(
        quiz=quiz,
        kind=Question.Kind.ESSAY,
        points=Decimal(4),
        prompt="Why did dialogue stop?",
        choices=[],
    )
    assignment = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[teacher]))
    return [
        take_quiz(
            assignment, UserFactory(username=name), {essay: f"{name}'s essay"}
        ).responses.get()
        for name in ("ada", "mae")
    ]


def test_the_queue_opens_the_first_answer_with_question_answer_and_points_box(
    teacher_client, essays
):
    page = teacher_client.get("/admin/quizzes/response/queue/", follow=True)
    assert page.redirect_chain[-1][0] == f"/admin/quizzes/response/{essays[0].pk}/mark/"
    assert "Answer 1 of 2 waiting" in page.text
    assert "Why did dialogue stop?" in page.text
    assert "ada&#x27;s essay" in page.text
    assert 'name="points"' in page.text and "autofocus" in page.text
    assert 'name="comment"' in page.text


def test_saving_a_mark_updates_the_total_and_opens_the_next_answer(teacher_client, essays):
    first, second = essays
    page = teacher_client.post(
        f"/admin/quizzes/response/{first.pk}/mark/",
        {"points": "3.5", "comment": "Name the year.", "_next": "1"},
        follow=True,
    )
    assert page.redirect_chain[-1][0] == f"/admin/quizzes/response/{second.pk}/mark/"
    assert "Saved 3.5 of 4 points for ada." in page.text.replace("3.50", "3.5").replace("4.00", "4")
    attempt = Attempt.objects.get(pk=first.attempt_id)
    assert attempt.score == Decimal("3.5")
    assert not attempt.is_provisional
    assert "Answer 1 of 1 waiting" in page.text


def test_the_last_mark_leads_to_an_empty_queue(teacher_client, essays):
    for response in essays:
        page = teacher_client.post(
            f"/admin/quizzes/response/{response.pk}/mark/",
            {"points": "2", "_next": "1"},
            follow=True,
        )
    assert "Nothing waits for marking" in page.text


def test_skip_goes_to_the_next_answer_and_keeps_the_queue_filter(teacher_client, essays):
    first, second = essays
    assignment = first.attempt.assignment_id
    page = teacher_client.get(f"/admin/quizzes/response/{first.pk}/mark/?assignment={assignment}")
    assert f'href="/admin/quizzes/response/{second.pk}/mark/?assignment={assignment}"' in page.text


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("-1", "greater than or equal to 0"),
        ("4.5", "at most 4.00 points"),
        ("", "Enter the points."),
    ],
)
def test_a_score_out_of_range_shows_a_message_and_saves_nothing(
    teacher_client, essays, points, message
):
    page = teacher_client.post(
        f"/admin/quizzes/response/{essays[0].pk}/mark/", {"points": points, "_next": "1"}
    )
    assert page.status_code == 200
    assert "Nothing was saved" in page.text
    assert message in page.text
    essays[0].refresh_from_db()
    assert essays[0].points is None


def test_changing_a_given_score_needs_a_reason_and_shows_on_the_attempt(teacher_client, essays):
    response = essays[0]
    url = f"/admin/quizzes/response/{response.pk}/mark/"
    teacher_client.post(url, {"points": "2", "_save": "1"})

    refused = teacher_client.post(url, {"points": "3", "_save": "1"})
    assert "Say why the score changes from 2." in refused.text
    response.refresh_from_db()
    assert response.points == Decimal(2)

    teacher_client.post(url, {"points": "3", "reason": "Second reading", "_save": "1"})
    attempt_page = teacher_client.get(f"/admin/quizzes/attempt/{response.attempt_id}/change/")
    assert "2.00 → 3.00" in attempt_page.text
    assert "Second reading" in attempt_page.text
    assert "Marked by hand" in attempt_page.text
    assert ScoreChange.objects.filter(response=response).count() == 2


def test_changing_an_answered_key_makes_a_version_the_class_moves_to_after_a_dry_run(
    teacher_client, teacher, take_quiz, run_tasks
):
    quiz = QuizFactory(owners=[teacher])
    question = QuestionFactory(quiz=quiz, choices=[("CNSA", True), ("NASA", False)])
    cnsa, nasa = question.choices.all()
    assignment = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[teacher]))
    for name, choice in (("ada", cnsa), ("mae", nasa), ("kai", nasa)):
        take_quiz(assignment, UserFactory(username=name), {question: choice.pk})

    form = {
        "quiz": quiz.pk,
        "key": question.key,
        "position": 1,
        "kind": "single",
        "level": "recall",
        "points": "1",
        "prompt": question.prompt,
        "explanation": "Because.",
        "evidence": question.evidence_id,
        "shuffle": "on",
        "tolerance": "0",
        "choices-TOTAL_FORMS": "2",
        "choices-INITIAL_FORMS": "2",
        "choices-0-id": cnsa.pk,
        "choices-0-question": question.pk,
        "choices-0-position": "1",
        "choices-0-text": "CNSA",
        "choices-1-id": nasa.pk,
        "choices-1-question": question.pk,
        "choices-1-position": "2",
        "choices-1-text": "NASA",
        "choices-1-is_correct": "on",
    }
    saved = teacher_client.post(f"/admin/quizzes/question/{question.pk}/change/", form, follow=True)
    assert "Saved as version 2." in saved.text
    moving_url = f"/admin/classrooms/assignment/{assignment.pk}/versions/"
    assert moving_url in saved.text  # the teacher's own class, named with where to move it
    scores = dict(Attempt.objects.values_list("user__username", "score"))
    assert scores == {"ada": Decimal(1), "mae": Decimal(0), "kai": Decimal(0)}

    dry_run = teacher_client.get(moving_url)
    assert "3 answers move to the current version." in dry_run.text
    assert "3 scores change: 2 up, 1 down." in dry_run.text
    assert Response.objects.filter(points=1).count() == 1  # nothing saved yet

    started = teacher_client.post(moving_url, follow=True)
    assert "Waiting for the background worker" in started.text
    run_tasks()
    done = teacher_client.get(started.redirect_chain[-1][0])
    assert "3 scores changed" in done.text
    scores = dict(Attempt.objects.values_list("user__username", "score"))
    assert scores == {"ada": Decimal(0), "mae": Decimal(1), "kai": Decimal(1)}
    current = Question.objects.get(key=question.key, is_current=True)
    assert set(Response.objects.values_list("question", flat=True)) == {current.pk}


def test_saving_a_question_without_changing_its_key_offers_no_regrade(teacher_client, teacher):
    question = QuestionFactory(quiz=QuizFactory(owners=[teacher]))
    page = teacher_client.get(f"/admin/quizzes/question/{question.pk}/change/")
    assert page.status_code == 200
    assert "Regrade answers" in page.text
    assert "The answer key changed" not in page.text
