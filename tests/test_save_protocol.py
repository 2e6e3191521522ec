"""The save protocol, and a student signed out in the middle of a quiz.

An answer counts as saved only when the server's 2xx reply echoes the revision the page
sent (X-Answer-Revision → X-Answer-Saved). A signed-out browser is told so (401 with htmx,
the login page without) instead of a 404 that looks like success to the page, and an answer
it posted without JavaScript is saved once its student signs in again.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from quizzes.forms import answer_data
from quizzes.models import Attempt
from quizzes.views import STASH_SESSION_KEY

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PASSWORD = "correct horse battery"


@pytest.fixture
def attempt(make_assignment, student, quiz):
    """The student's attempt at the assigned two-question quiz, with deferred feedback."""
    student.set_password(PASSWORD)
    student.save()
    assignment = make_assignment(quiz, feedback_mode="deferred")
    return Attempt.objects.create(
        quiz=quiz, assignment=assignment, user=student, max_score=quiz.max_score
    )


def question_url(attempt, number=1):
    return reverse("quizzes:attempt_question", args=[attempt.public_id, number])


def choice_id(attempt, text, number=1):
    return attempt.quiz.questions.get(position=number).choices.get(text=text).pk


def choice(attempt, text, number=1):
    """The value the question page gives the choice with this text."""
    question = attempt.quiz.questions.get(position=number)
    return answer_data(attempt, question, question.choices.get(text=text).pk)["choice"]


def log_in(client, username="student"):
    reply = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert reply.status_code == 302, reply.text


def stored(attempt):
    return {r.question.position: r.answer for r in attempt.responses.select_related("question")}


def test_a_saved_answer_echoes_the_revision_it_was_sent_with(client, attempt):
    log_in(client)
    data = {"choice": choice(attempt, "CNSA")}
    reply = client.post(question_url(attempt), data, HTTP_X_ANSWER_REVISION="7", **HTMX)
    assert reply.status_code == 200
    assert reply["X-Answer-Saved"] == "7"
    # A client that sends no revision (a plain script) gets "1".
    data = {"choice": choice(attempt, "NASA")}
    assert client.post(question_url(attempt), data, **HTMX)["X-Answer-Saved"] == "1"
    assert stored(attempt) == {1: choice_id(attempt, "NASA")}


def test_an_answer_not_stored_is_never_acknowledged(client, attempt):
    log_in(client)
    refused = client.post(
        question_url(attempt), {"choice": "x"}, HTTP_X_ANSWER_REVISION="3", **HTMX
    )
    assert refused.status_code == 400
    assert "X-Answer-Saved" not in refused

    attempt.submit()
    data = {"choice": choice(attempt, "CNSA")}
    closed = client.post(question_url(attempt), data, HTTP_X_ANSWER_REVISION="4", **HTMX)
    assert closed.status_code == 409
    assert "X-Answer-Saved" not in closed
    assert stored(attempt) == {}


def test_a_signed_out_autosave_gets_401_with_a_way_back(client, attempt):
    log_in(client)
    client.post(reverse("logout"))
    data = {"choice": choice(attempt, "CNSA")}
    reply = client.post(question_url(attempt), data, HTTP_X_ANSWER_REVISION="2", **HTMX)
    assert reply.status_code == 401
    assert "X-Answer-Saved" not in reply
    assert "You were signed out." in reply.text
    assert f'href="/accounts/login/?next={question_url(attempt)}"' in reply.text
    assert stored(attempt) == {}


def test_a_signed_out_visitor_learns_nothing_about_which_attempts_exist(client, attempt):
    nowhere = question_url(Attempt(public_id="00000000-0000-4000-8000-000000000000"))
    ours, theirs = (
        client.post(url, {"choice": choice(attempt, "CNSA")}, **HTMX)
        for url in (question_url(attempt), nowhere)
    )
    assert ours.status_code == theirs.status_code == 401
    assert ours.text.replace(str(attempt.public_id), "ID") == theirs.text.replace(
        "00000000-0000-4000-8000-000000000000", "ID"
    )


def test_an_answer_posted_without_javascript_while_signed_out_is_saved_after_signing_in(
    client, attempt
):
    log_in(client)
    client.post(reverse("logout"))  # e.g. in another tab, or the session expired

    data = {"choice": choice(attempt, "CNSA"), "next": "1"}
    reply = client.post(question_url(attempt), data)
    login_url = f"{reverse('login')}?next={question_url(attempt)}"
    assert reply.status_code == 302 and reply["Location"] == login_url
    page = client.get(login_url)
    assert "your answer is not saved yet. Sign in to save it." in page.text
    assert stored(attempt) == {}

    reply = client.post(
        reverse("login"),
        {"username": "student", "password": PASSWORD, "next": question_url(attempt)},
    )
    assert reply["Location"] == question_url(attempt)
    # Opening the question saves the answer, then goes on as "Save and next" would have.
    reply = client.get(question_url(attempt))
    assert reply.status_code == 302 and reply["Location"] == question_url(attempt, 2)
    assert stored(attempt) == {1: choice_id(attempt, "CNSA")}
    assert attempt.responses.get().points == Decimal(1)
    assert STASH_SESSION_KEY not in client.session or not client.session[STASH_SESSION_KEY]
    # Only once.
    client.get(question_url(attempt))
    assert attempt.responses.count() == 1


def test_an_answer_kept_for_a_signed_out_student_is_never_applied_for_someone_else(
    client, attempt, student
):
    data = {"choice": choice(attempt, "NASA")}
    client.post(question_url(attempt), data)  # a signed-out browser
    # Another student signs in on this browser (the stash rides in the session).
    other = get_user_model().objects.create_user("other", password=PASSWORD)
    log_in(client, "other")
    assert client.get(question_url(attempt)).status_code == 404
    assert stored(attempt) == {}
    # Nor does it wait there for the owner: signing out ends that session.
    client.post(reverse("logout"))
    log_in(client)
    client.get(question_url(attempt))
    assert stored(attempt) == {}
    assert other.attempts.count() == 0


def test_an_answer_kept_while_signed_out_is_not_saved_once_the_attempt_closed(client, attempt):
    client.post(question_url(attempt), {"choice": choice(attempt, "CNSA")})
    attempt.submit()
    log_in(client)
    reply = client.get(question_url(attempt))
    assert reply.status_code == 302 and reply["Location"].endswith("/results/")
    assert stored(attempt) == {}


def test_a_forged_post_leaves_nothing_to_save_later(attempt):
    forger = Client(enforce_csrf_checks=True)
    reply = forger.post(question_url(attempt), {"choice": choice(attempt, "NASA")})
    assert reply.status_code == 403
    assert STASH_SESSION_KEY not in forger.session


def test_what_a_signed_out_browser_may_leave_in_its_session_is_bounded(client, attempt):
    essay = "x" * 60_000  # more than any answer: a real essay stops at 10,000 characters
    client.post(question_url(attempt), {"text": essay})
    for number in range(1, 20):
        client.post(question_url(attempt, number), {"choice": "1"})
    stash = client.session[STASH_SESSION_KEY]
    assert len(stash) == 5
    assert all(len(str(fields)) < 100 for fields in stash.values())
