"""Every shipped quiz can be taken through the pages, every kind of question included."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from quizzes.forms import answer_data
from quizzes.models import Attempt, Question, Quiz

HTMX = {"HTTP_HX_REQUEST": "true"}


def right_answer_form(attempt, question: Question) -> dict:
    """What a student who knows the answer submits, field by field."""
    choices = list(question.choices.order_by("position"))
    right = [c.pk for c in choices if c.is_correct]
    match question.kind:
        case Question.Kind.SINGLE | Question.Kind.TRUE_FALSE:
            answer = right[0]
        case Question.Kind.MULTIPLE:
            answer = right
        case Question.Kind.SHORT_TEXT:
            answer = next(c.text for c in choices if c.is_correct)
        case Question.Kind.NUMERIC:
            answer = f"{question.numeric_answer.normalize():f} {question.unit}"
        case Question.Kind.ORDERING:
            answer = [c.pk for c in choices]
        case Question.Kind.MATCHING:
            answer = {str(c.pk): c.pk for c in choices}
        case Question.Kind.FILL_BLANKS:
            answer = question.kind_rules.sample_answers(question.answer_key())[0]
        case _:
            answer = "The amendment blocks NASA from working with China without approval."
    return answer_data(attempt, question, answer)


@pytest.fixture
def shipped_quizzes(db):
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    return list(Quiz.objects.all())


@pytest.mark.parametrize("use_htmx", [True, False], ids=["htmx", "no-js"])
def test_every_shipped_quiz_scores_full_marks_for_right_answers(
    student_client, shipped_quizzes, make_assignment, use_htmx
):
    for quiz in shipped_quizzes:
        if quiz.is_practice:
            student_client.post(reverse("quizzes:quiz_start", args=[quiz.slug]))
        else:
            assignment = make_assignment(quiz, feedback_mode="immediate")
            student_client.post(reverse("classrooms:assignment_start", args=[assignment.pk]))
        attempt = Attempt.objects.get(quiz=quiz)
        questions = list(quiz.questions.all())
        for number, question in enumerate(questions, 1):
            url = reverse("quizzes:attempt_question", args=[attempt.public_id, number])
            extra = HTMX if use_htmx else {}
            response = student_client.post(url, right_answer_form(attempt, question), **extra)
            assert response.status_code in (200, 302), (question.key, response.text[:300])
            page = student_client.get(url)  # the answered question still draws
            assert page.status_code == 200

        student_client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id]))
        attempt.refresh_from_db()
        essays = [q for q in questions if q.kind == Question.Kind.ESSAY]
        assert attempt.score == attempt.max_score - sum((q.points for q in essays), Decimal(0))
        assert attempt.is_provisional == bool(essays)
        results = student_client.get(reverse("quizzes:attempt_results", args=[attempt.public_id]))
        assert results.status_code == 200
        assert "Waiting for your teacher" in results.text or not essays
