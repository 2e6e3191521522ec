"""Questions are read from the shared cache; a teacher's change reaches the next request."""

from decimal import Decimal

import pytest
from django.urls import reverse

from lessons.factories import SectionFactory
from quizzes.factories import QuestionFactory
from quizzes.forms import answer_data
from quizzes.models import Attempt, Choice, Quiz

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def attempt(student_client, quiz, make_assignment):
    assignment = make_assignment(quiz, feedback_mode="immediate")
    student_client.post(reverse("classrooms:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get()
    student_client.get(question_url(attempt, 1))  # the question is in the cache now
    return attempt


def question_url(attempt, number):
    return reverse("quizzes:attempt_question", args=[attempt.public_id, number])


def test_a_corrected_answer_key_scores_the_next_answer(student_client, quiz, attempt):
    choices = quiz.questions.get(position=1).choices
    for choice in choices.all():  # the teacher finds the key was wrong: NASA is right
        choice.is_correct = choice.text == "NASA"
        choice.save()

    nasa = answer_data(attempt, choices.instance, choices.get(text="NASA").pk)
    reply = student_client.post(question_url(attempt, 1), nasa, **HTMX)

    assert "Correct." in reply.text
    assert attempt.responses.get().points == Decimal(1)


def test_an_edited_prompt_shows_on_the_next_page(student_client, quiz, attempt):
    question = quiz.questions.get(position=1)
    question.prompt = "Which agency runs China's lunar programme?"
    question.save()

    page = student_client.get(question_url(attempt, 1))

    assert "Which agency runs China&#x27;s lunar programme?" in page.text


def test_a_new_question_joins_the_navigator(student_client, quiz, attempt):
    QuestionFactory(quiz=quiz, position=3, prompt="What did Chang'e-5 bring back?")

    first = student_client.get(question_url(attempt, 1))
    new = student_client.get(question_url(attempt, 3))

    assert "Question 1 of 3" in first.text
    assert "What did Chang&#x27;e-5 bring back?" in new.text


def test_a_renamed_evidence_section_shows_in_the_feedback(student_client, quiz, attempt):
    question = quiz.questions.get(position=1)
    question.evidence.heading = "Who runs what in space"
    question.evidence.save()

    right = question.choices.get(is_correct=True)
    reply = student_client.post(
        question_url(attempt, 1), answer_data(attempt, question, right.pk), **HTMX
    )

    assert "Read the evidence in the lesson: Who runs what in space" in reply.text


def test_a_newly_cited_section_shows_in_the_feedback(student_client, quiz, attempt):
    question = quiz.questions.get(position=1)
    question.also_cites.add(SectionFactory(lesson=quiz.lesson, heading="Timeline"))

    right = question.choices.get(is_correct=True)
    reply = student_client.post(
        question_url(attempt, 1), answer_data(attempt, question, right.pk), **HTMX
    )

    assert "Read the evidence in the lesson: " + question.evidence.heading in reply.text
    assert "Also:" in reply.text and ">Timeline<" in reply.text


def test_citing_a_section_from_either_side_outdates_the_quiz(quiz):
    question = quiz.questions.get(position=1)
    section = SectionFactory(lesson=quiz.lesson)
    versions = []
    for change in (
        lambda: question.also_cites.add(section),
        lambda: section.also_cited_by.remove(question),
        lambda: section.also_cited_by.add(question),
        lambda: section.also_cited_by.clear(),
    ):
        before = Quiz.objects.get(pk=quiz.pk).content_version
        change()
        versions.append(Quiz.objects.get(pk=quiz.pk).content_version != before)
    assert versions == [True, True, True, True]


def test_an_edited_section_cited_as_well_outdates_the_quiz(quiz):
    section = SectionFactory(lesson=quiz.lesson)
    quiz.questions.get(position=1).also_cites.add(section)
    before = Quiz.objects.get(pk=quiz.pk).content_version
    section.heading = "Renamed"
    section.save()
    assert Quiz.objects.get(pk=quiz.pk).content_version != before


def test_only_the_quizzes_that_cite_a_changed_lesson_are_outdated(quiz):
    other = QuestionFactory().quiz
    versions = dict(Quiz.objects.values_list("pk", "content_version"))

    quiz.lesson.title = "Space, renamed"
    quiz.lesson.save()
    Choice.objects.filter(question__quiz=other).first().delete()

    after = dict(Quiz.objects.values_list("pk", "content_version"))
    assert after[quiz.pk] != versions[quiz.pk]
    assert after[other.pk] != versions[other.pk]
    quiz.lesson.save()
    assert Quiz.objects.get(pk=other.pk).content_version == after[other.pk]


def test_a_question_read_once_is_served_from_the_process_without_the_shared_cache(
    student_client, quiz, attempt, monkeypatch
):
    from quizzes import content_cache

    def unreachable(*args, **kwargs):
        raise AssertionError("the shared cache was asked")

    monkeypatch.setattr("quizsite.cache.cache.get", unreachable)
    ids, first = content_cache.question_at(attempt, 1)
    _ids, again = content_cache.question_at(attempt, 1)
    assert first.prompt == quiz.questions.get(position=1).prompt
    first.prompt = "changed by one request"
    assert again.prompt != first.prompt  # each request unpickles objects of its own


def test_a_change_is_never_hidden_by_the_process_copy(student_client, quiz, attempt):
    from quizzes import content_cache

    question = quiz.questions.get(position=1)
    question.prompt = "Which agency runs the lunar programme?"
    question.save()
    attempt.refresh_from_db()  # a new request reads the quiz's new content version
    _ids, fresh = content_cache.question_at(attempt, 1)
    assert fresh.prompt == "Which agency runs the lunar programme?"
