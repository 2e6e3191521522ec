from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from classrooms.models import Classroom, Enrollment, Override
from quizzes.forms import answer_data
from quizzes.models import AlreadyAnswered, Attempt, AttemptClosed

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def start(client, assignment, follow=False):
    return client.post(reverse("classrooms:assignment_start", args=[assignment.pk]), follow=follow)


def question_url(attempt, number):
    return reverse("quizzes:attempt_question", args=[attempt.public_id, number])


def choice(quiz, position, text):
    return quiz.questions.get(position=position).choices.get(text=text).pk


def chosen(attempt, quiz, position, text):
    """What the page posts when the choice with this text is picked."""
    question = quiz.questions.get(position=position)
    return answer_data(attempt, question, choice(quiz, position, text))


def test_joining_with_a_code_enrolls_the_student(student_client, student):
    classroom = Classroom.objects.create(name="Year 10 Physics", join_code="K7MQ2D")
    response = student_client.post(reverse("classrooms:join"), {"code": " k7mq-2d "}, follow=True)
    assert "You joined Year 10 Physics." in response.text
    assert Enrollment.objects.filter(classroom=classroom, student=student).exists()


def test_a_wrong_join_code_is_explained_and_enrolls_nobody(student_client):
    Classroom.objects.create(name="Year 10 Physics", join_code="K7MQ2D")
    response = student_client.post(reverse("classrooms:join"), {"code": "ZZZZZZ"})
    assert response.status_code == 400
    assert "No class has the code ZZZZZZ" in response.text
    assert not Enrollment.objects.exists()


def test_signing_up_logs_the_new_student_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "newkid",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("classrooms:join")
    assert response.context["user"].username == "newkid"


def test_dashboard_lists_assigned_quizzes_with_due_date_and_state(
    student_client, quiz, make_assignment
):
    due = timezone.now() + timedelta(days=3)
    make_assignment(quiz, due_at=due)
    page = student_client.get(reverse("classrooms:dashboard")).text
    assert quiz.title in page and "Year 10 Physics" in page
    assert "Not started" in page
    assert str(due.year) in page


def test_dashboard_does_not_show_other_classes_quizzes(student_client, quiz):
    other = Classroom.objects.create(name="Someone else's class")
    other.assignments.create(quiz=quiz)
    page = student_client.get(reverse("classrooms:dashboard")).text
    assert quiz.title not in page


def test_a_time_limit_sets_the_deadline(student_client, quiz, make_assignment):
    assignment = make_assignment(quiz, time_limit=timedelta(minutes=20))
    start(student_client, assignment)
    attempt = Attempt.objects.get()
    assert attempt.deadline - attempt.started_at == timedelta(minutes=20)


def test_the_due_date_cuts_a_time_limit_short(student_client, quiz, make_assignment):
    due = timezone.now() + timedelta(minutes=5)
    assignment = make_assignment(quiz, time_limit=timedelta(minutes=20), due_at=due)
    start(student_client, assignment)
    assert Attempt.objects.get().deadline == due


def test_used_up_attempts_refuse_a_new_one_with_a_message(student_client, quiz, make_assignment):
    assignment = make_assignment(quiz, attempts_allowed=1)
    start(student_client, assignment)
    Attempt.objects.get().submit()
    response = start(student_client, assignment, follow=True)
    assert "You have used all 1 of your attempts." in response.text
    assert Attempt.objects.count() == 1


def test_an_override_grants_an_extra_attempt(student_client, student, quiz, make_assignment):
    assignment = make_assignment(quiz, attempts_allowed=1)
    Override.objects.create(assignment=assignment, student=student, extra_attempts=1)
    start(student_client, assignment)
    Attempt.objects.get().submit()
    start(student_client, assignment)
    assert Attempt.objects.count() == 2


def test_a_quiz_past_its_due_date_refuses_new_attempts(student_client, quiz, make_assignment):
    assignment = make_assignment(quiz, due_at=timezone.now() - timedelta(hours=1))
    response = start(student_client, assignment, follow=True)
    assert "it no longer takes attempts" in response.text
    assert not Attempt.objects.exists()


def test_a_quiz_not_yet_open_refuses_attempts(student_client, quiz, make_assignment):
    assignment = make_assignment(quiz, opens_at=timezone.now() + timedelta(days=1))
    response = start(student_client, assignment, follow=True)
    assert "This quiz opens on" in response.text
    assert not Attempt.objects.exists()


def test_deferred_feedback_saves_quietly_and_allows_changes(student_client, quiz, make_assignment):
    assignment = make_assignment(quiz, feedback_mode="deferred")
    start(student_client, assignment)
    attempt = Attempt.objects.get()

    saved = student_client.post(question_url(attempt, 1), chosen(attempt, quiz, 1, "NASA"), **HTMX)
    assert saved.status_code == 200
    assert "Answer saved" in saved.text
    assert "Correct" not in saved.text and "Not quite" not in saved.text
    # Only what changed is swapped: the status, the progress and this question's link.
    assert "1 of 2 answered" in saved.text
    assert 'id="nav-1"' in saved.text and "Question 1, answered" in saved.text
    assert 'id="nav-2"' not in saved.text and 'id="question-navigator"' not in saved.text
    assert saved.text.count('hx-swap-oob="true"') == 3

    student_client.post(question_url(attempt, 1), chosen(attempt, quiz, 1, "CNSA"), **HTMX)
    assert attempt.responses.get().points == Decimal(1)
    page = student_client.get(question_url(attempt, 1)).text
    assert "right answer" not in page.lower()


def test_an_answer_keeps_the_flag_another_tab_set_meanwhile(student, quiz, make_assignment):
    attempt = Attempt.objects.create(quiz=quiz, user=student, assignment=make_assignment(quiz))
    question = quiz.questions.get(position=1)
    attempt.toggle_flag(question)  # after this request read the responses: it knows none

    saved = attempt.save_answer(question, choice(quiz, 1, "CNSA"))

    assert (saved.flagged, saved.points) == (True, Decimal(1))
    assert attempt.responses.get().points == Decimal(1)


def test_a_checked_answer_from_another_tab_stands(student, quiz, make_assignment):
    assignment = make_assignment(quiz, feedback_mode="immediate")
    attempt = Attempt.objects.create(quiz=quiz, user=student, assignment=assignment)
    question = quiz.questions.get(position=1)
    attempt.save_answer(question, choice(quiz, 1, "NASA"), first_only=True)

    # This tab read the responses before the other tab's answer was saved.
    with pytest.raises(AlreadyAnswered):
        attempt.save_answer(question, choice(quiz, 1, "CNSA"), first_only=True)

    assert attempt.responses.get().points == Decimal(0)


def test_immediate_feedback_shows_the_verdict_and_locks_the_answer(
    student_client, quiz, make_assignment
):
    assignment = make_assignment(quiz, feedback_mode="immediate")
    start(student_client, assignment)
    attempt = Attempt.objects.get()
    checked = student_client.post(
        question_url(attempt, 1), chosen(attempt, quiz, 1, "NASA"), **HTMX
    )
    assert "Not quite." in checked.text
    again = student_client.post(question_url(attempt, 1), chosen(attempt, quiz, 1, "CNSA"))
    assert again.status_code == 409
    assert attempt.responses.get().points == Decimal(0)


def test_an_answer_after_the_time_limit_is_refused_and_the_attempt_submitted(
    student_client, quiz, make_assignment
):
    assignment = make_assignment(quiz, time_limit=timedelta(minutes=10))
    start(student_client, assignment)
    attempt = Attempt.objects.get()
    student_client.post(question_url(attempt, 1), chosen(attempt, quiz, 1, "CNSA"))
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))

    late = student_client.post(question_url(attempt, 2), chosen(attempt, quiz, 2, "2011"))

    assert late.status_code == 409
    assert "Time is up" in late.text
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.submitted_at == attempt.deadline
    assert attempt.score == Decimal(1)  # what was saved in time counts; the late answer doesn't
    assert attempt.responses.count() == 1


def test_expired_attempts_are_submitted_even_if_the_student_never_comes_back(
    student_client, student, quiz, make_assignment
):
    assignment = make_assignment(quiz, time_limit=timedelta(minutes=10))
    start(student_client, assignment)
    attempt = Attempt.objects.get()
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))

    call_command("close_expired_attempts")

    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.score == Decimal(0)


def test_flagging_shows_in_the_navigator_and_the_summary(student_client, quiz, make_assignment):
    assignment = make_assignment(quiz)
    start(student_client, assignment)
    attempt = Attempt.objects.get()
    flag_url = reverse("quizzes:attempt_flag", args=[attempt.public_id, 2])

    flagged = student_client.post(flag_url, **HTMX)
    assert "Question 2, unanswered, flagged" in flagged.text

    summary = student_client.get(reverse("quizzes:attempt_summary", args=[attempt.public_id]))
    assert "Flagged" in summary.text
    assert "2 questions are still unanswered" in summary.text

    student_client.post(flag_url)
    assert not attempt.responses.get().flagged


def test_an_answer_to_a_question_not_in_the_attempt_is_refused(
    student_client, quiz, make_assignment
):
    assignment = make_assignment(quiz)
    start(student_client, assignment)
    attempt = Attempt.objects.get()
    response = student_client.post(question_url(attempt, 3), {"choice": "1"})
    assert response.status_code == 404
    other_choice = chosen(attempt, quiz, 2, "2011")  # a choice of question 2
    response = student_client.post(question_url(attempt, 1), other_choice)
    assert response.status_code == 400
    assert not attempt.responses.exists()


def test_review_can_hide_the_right_answers(student_client, quiz, make_assignment):
    assignment = make_assignment(quiz, review_shows_answers=False)
    start(student_client, assignment)
    attempt = Attempt.objects.get()
    student_client.post(question_url(attempt, 1), chosen(attempt, quiz, 1, "NASA"))
    attempt.submit()
    page = student_client.get(reverse("quizzes:attempt_results", args=[attempt.public_id])).text
    assert "Not quite." in page
    assert "Right answer" not in page
    assert quiz.questions.get(position=1).explanation not in page


def test_double_start_makes_one_attempt(student_client, quiz, make_assignment):
    assignment = make_assignment(quiz, attempts_allowed=3)
    start(student_client, assignment)
    start(student_client, assignment)
    assert Attempt.objects.count() == 1


def test_an_answer_racing_a_submission_is_refused(student_client, quiz, make_assignment):
    assignment = make_assignment(quiz)
    start(student_client, assignment)
    stale = Attempt.objects.get()  # loaded before another tab submits
    Attempt.objects.get().submit()

    with pytest.raises(AttemptClosed):
        stale.save_answer(quiz.questions.get(position=1), choice(quiz, 1, "CNSA"))
    with pytest.raises(AttemptClosed):
        stale.toggle_flag(quiz.questions.get(position=1))
    assert not stale.responses.exists()


@pytest.mark.parametrize("page", ["dashboard", "results"])
def test_student_pages_ask_the_same_number_of_queries_however_long(
    student_client, student, make_assignment, page
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quizzes.factories import QuestionFactory, QuizFactory

    def queries(size):
        quiz = QuizFactory()
        for position in range(1, size + 1):
            QuestionFactory(quiz=quiz, position=position)
        assignments = [make_assignment(quiz) for _ in range(size if page == "dashboard" else 1)]
        start(student_client, assignments[0])
        attempt = Attempt.objects.filter(quiz=quiz).get()
        for number in range(1, size + 1):
            question = quiz.questions.get(position=number)
            right = question.choices.get(is_correct=True)
            student_client.post(
                question_url(attempt, number), answer_data(attempt, question, right.pk)
            )
        attempt.submit()
        url = (
            reverse("classrooms:dashboard")
            if page == "dashboard"
            else reverse("quizzes:attempt_results", args=[attempt.public_id])
        )
        with CaptureQueriesContext(connection) as captured:
            assert student_client.get(url).status_code == 200
        return len(captured)

    assert queries(2) == queries(6)
