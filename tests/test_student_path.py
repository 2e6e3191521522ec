from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.factories import UserFactory
from lessons.factories import SectionFactory
from quizzes.factories import AttemptFactory, QuizFactory
from quizzes.forms import answer_data
from quizzes.models import Attempt, Response

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def quiz(quiz):
    """These tests take the conftest quiz as a lesson's practice quiz, open to anyone."""
    quiz.is_practice = True
    quiz.save()
    return quiz


def start(client, quiz) -> Attempt:
    client.post(reverse("quizzes:quiz_start", args=[quiz.slug]))
    return Attempt.objects.latest("started_at")


def question_url(attempt, number):
    return reverse("quizzes:attempt_question", args=[attempt.public_id, number])


def chosen(attempt, question, text):
    """What the page posts when the choice with this text is picked."""
    return answer_data(attempt, question, question.choices.get(text=text).pk)


def test_home_lists_lessons_and_lesson_page_credits_its_source(client, quiz):
    home = client.get("/")
    assert quiz.lesson.title in home.text

    page = client.get(quiz.lesson.get_absolute_url())
    assert "Wu Lei" in page.text and "CGTN" in page.text
    section = quiz.questions.first().evidence
    assert f'id="{section.anchor}"' in page.text
    assert quiz.title in page.text


def test_a_quiz_not_for_practice_is_taken_only_through_an_assignment(student_client):
    graded = QuizFactory(title="Unit test")
    page = student_client.get(graded.get_absolute_url())
    assert "Your teacher assigns this quiz" in page.text
    assert "Start the quiz" not in page.text

    response = student_client.post(reverse("quizzes:quiz_start", args=[graded.slug]))
    assert response.status_code == 403
    assert "taken when a teacher assigns it" in response.text
    assert not Attempt.objects.exists()


def test_starting_twice_resumes_the_same_attempt(student_client, quiz):
    first = start(student_client, quiz)
    second = start(student_client, quiz)
    assert first == second
    assert Attempt.objects.count() == 1


def test_right_answer_scores_its_points(student_client, quiz):
    attempt = start(student_client, quiz)
    question = quiz.questions.get(position=1)
    student_client.post(question_url(attempt, 1), chosen(attempt, question, "CNSA"))
    assert Response.objects.get(attempt=attempt, question=question).points == Decimal(1)


def test_wrong_answer_scores_zero(student_client, quiz):
    attempt = start(student_client, quiz)
    question = quiz.questions.get(position=1)
    student_client.post(question_url(attempt, 1), chosen(attempt, question, "NASA"))
    assert Response.objects.get(attempt=attempt, question=question).points == Decimal(0)


def test_answer_without_javascript_redirects_back_to_the_question_with_feedback(
    student_client, quiz
):
    attempt = start(student_client, quiz)
    question = quiz.questions.get(position=1)
    response = student_client.post(
        question_url(attempt, 1), chosen(attempt, question, "NASA"), follow=True
    )
    assert response.redirect_chain == [(question_url(attempt, 1), 302)]
    assert "Not quite." in response.text
    assert "Right answer:" in response.text and "CNSA" in response.text
    assert question.explanation in response.text


def test_answer_with_htmx_returns_only_the_question_panel(student_client, quiz):
    attempt = start(student_client, quiz)
    question = quiz.questions.get(position=1)
    response = student_client.post(
        question_url(attempt, 1), chosen(attempt, question, "CNSA"), **HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="question-panel"' in response.text
    assert "Correct." in response.text
    assert "1 of 2 answered" in response.text
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(student_client, quiz):
    attempt = start(student_client, quiz)
    response = student_client.get(
        question_url(attempt, 1), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )
    assert "<html" in response.text


def test_unanswered_question_does_not_reveal_its_answer_key(student_client, quiz):
    attempt = start(student_client, quiz)
    question = quiz.questions.get(position=1)
    page = student_client.get(question_url(attempt, 1)).text
    assert "CNSA" in page and "NASA" in page  # the options are shown...
    assert "right answer" not in page.lower()  # ...but nothing marks the right one
    assert question.explanation not in page


def test_malformed_answer_gets_a_clear_message_and_saves_nothing(student_client, quiz):
    attempt = start(student_client, quiz)
    for bad in ({}, {"choice": "not-a-number"}, {"choice": "999999"}):
        response = student_client.post(question_url(attempt, 1), bad, **HTMX)
        assert response.status_code == 400
        assert "Choose one of the options." in response.text
    assert not attempt.responses.exists()


def test_an_answer_once_checked_cannot_be_changed(student_client, quiz):
    attempt = start(student_client, quiz)
    question = quiz.questions.get(position=1)
    student_client.post(question_url(attempt, 1), chosen(attempt, question, "NASA"))
    again = student_client.post(question_url(attempt, 1), chosen(attempt, question, "CNSA"))
    assert again.status_code == 409
    assert attempt.responses.get().points == Decimal(0)


def test_submitting_totals_the_score_and_shows_explanations(student_client, quiz):
    attempt = start(student_client, quiz)
    first, second = quiz.questions.order_by("position")
    student_client.post(question_url(attempt, 1), chosen(attempt, first, "CNSA"))
    student_client.post(question_url(attempt, 2), chosen(attempt, second, "2006"))

    results = student_client.post(
        reverse("quizzes:attempt_submit", args=[attempt.public_id]), follow=True
    )

    attempt.refresh_from_db()
    assert attempt.score == Decimal(1) and attempt.max_score == Decimal(2)
    assert "You scored 1 out of 2." in results.text
    assert second.explanation in results.text
    assert second.evidence.get_absolute_url() in results.text


def test_results_link_every_section_a_question_cites(student_client, quiz):
    first = quiz.questions.get(position=1)
    timeline = SectionFactory(lesson=quiz.lesson, heading="Timeline", anchor="timeline")
    first.also_cites.add(timeline)
    attempt = start(student_client, quiz)
    student_client.post(question_url(attempt, 1), chosen(attempt, first, "NASA"))

    results = student_client.post(
        reverse("quizzes:attempt_submit", args=[attempt.public_id]), follow=True
    )

    assert first.evidence.get_absolute_url() in results.text
    assert f'href="{timeline.get_absolute_url()}"' in results.text


def test_unanswered_questions_score_zero_on_submit(student_client, quiz):
    attempt = start(student_client, quiz)
    student_client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id]))
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.score == Decimal(0)


def test_a_submitted_attempt_cannot_be_changed(student_client, quiz):
    attempt = start(student_client, quiz)
    submit_url = reverse("quizzes:attempt_submit", args=[attempt.public_id])
    student_client.post(submit_url)
    attempt.refresh_from_db()
    submitted_at = attempt.submitted_at

    question = quiz.questions.get(position=1)
    late = student_client.post(question_url(attempt, 1), chosen(attempt, question, "CNSA"))
    student_client.post(submit_url)  # a double click on "Finish"

    attempt.refresh_from_db()
    assert late.status_code == 409
    assert not attempt.responses.exists()
    assert attempt.submitted_at == submitted_at and attempt.score == Decimal(0)


def test_another_students_attempt_is_not_reachable(client, quiz):
    attempt = AttemptFactory(quiz=quiz, user=UserFactory(username="someone-else"))
    client.force_login(UserFactory(username="nosy"))
    question = quiz.questions.get(position=1)
    for response in (
        client.get(attempt.get_absolute_url()),
        client.get(question_url(attempt, 1)),
        client.post(question_url(attempt, 1), chosen(attempt, question, "CNSA")),
        client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id])),
        client.get(reverse("quizzes:attempt_results", args=[attempt.public_id])),
    ):
        assert response.status_code == 404
    assert not attempt.responses.exists()


def test_practice_quiz_needs_no_account_and_stays_private_to_its_browser(client, quiz):
    practice = QuizFactory(is_practice=True)
    from quizzes.factories import QuestionFactory

    question = QuestionFactory(quiz=practice)
    attempt = start(client, practice)
    assert attempt.user is None
    client.post(question_url(attempt, 1), chosen(attempt, question, "Right"))
    assert attempt.responses.get().points == Decimal(1)

    client.cookies.clear()  # another browser: asked to sign in, as for any attempt id
    reply = client.get(question_url(attempt, 1))
    assert reply.status_code == 302 and reply["Location"].startswith(reverse("login"))


def test_my_attempts_lists_only_my_own(student_client, student, quiz):
    AttemptFactory(quiz=quiz, user=student)
    other_quiz = QuizFactory(title="Someone else's quiz")
    AttemptFactory(quiz=other_quiz, user=UserFactory(username="other"))
    page = student_client.get(reverse("quizzes:attempt_list")).text
    assert quiz.title in page
    assert other_quiz.title not in page


def test_results_still_show_when_a_matching_pair_was_removed_from_the_key(student_client):
    from quizzes.factories import QuestionFactory

    practice = QuizFactory(is_practice=True)
    pairs = [
        ("Chang'e-4", False, "far side"),
        ("Tianwen-1", False, "Mars"),
        ("CBERS", False, "Brazil"),
    ]
    question = QuestionFactory(quiz=practice, kind="matching", choices=pairs)
    attempt = start(student_client, practice)
    form = answer_data(attempt, question, {str(c.pk): c.pk for c in question.choices.all()})
    student_client.post(question_url(attempt, 1), form)
    attempt.submit()
    question.choices.get(text="CBERS").delete()  # a teacher edits the key

    page = student_client.get(reverse("quizzes:attempt_results", args=[attempt.public_id]))
    assert page.status_code == 200
    assert "Tianwen-1 → Mars" in page.text and "? → ?" in page.text
