"""Questions a teacher writes must be scorable; choices keep one order per attempt."""

import pytest
from django.urls import reverse

from accounts.factories import UserFactory
from lessons.factories import SectionFactory
from quizzes.factories import AttemptFactory, QuestionFactory, QuizFactory
from quizzes.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def add_url(kind):
    """The new question's form for one kind (the kind is chosen on the page before)."""
    return f"{reverse('admin:quizzes_question_add')}?kind={kind}"


def question_form(quiz, section, kind, choices=(), **fields):
    form = {
        "quiz": quiz.pk,
        "key": "new-question",
        "position": 1,
        "kind": kind,
        "level": "recall",
        "points": "1",
        "prompt": "A question a teacher is writing",
        "explanation": "Because the lesson says so.",
        "evidence": section.pk,
        "tolerance": "0",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        **fields,
    }
    for n, (text, is_correct) in enumerate(choices):
        form[f"choices-{n}-position"] = str(n + 1)
        form[f"choices-{n}-text"] = text
        if is_correct:
            form[f"choices-{n}-is_correct"] = "on"
    return form


@pytest.mark.parametrize(
    "kind, choices, fields, message",
    [
        ("single", [("CNSA", False), ("NASA", False)], {}, "Mark exactly one choice as correct."),
        ("numeric", [], {}, "A numeric question needs the value of its answer."),
        ("ordering", [("2006", False)], {}, "An ordering question needs at least two items."),
        ("true_false", [("True", True)], {}, "A true/false question has exactly two choices."),
        ("multiple", [("A", True), ("B", True)], {}, "leave at least one wrong"),
    ],
)
def test_an_unscorable_question_is_refused_with_a_clear_message(
    admin_client_logged_in, kind, choices, fields, message
):
    quiz = QuizFactory()
    section = SectionFactory(lesson=quiz.lesson)
    response = admin_client_logged_in.post(
        add_url(kind), question_form(quiz, section, kind, choices, **fields)
    )
    assert response.status_code == 200  # the form again, not a redirect
    assert message in response.text
    assert not Question.objects.exists()


def test_a_scorable_question_is_saved(admin_client_logged_in):
    quiz = QuizFactory()
    section = SectionFactory(lesson=quiz.lesson)
    form = question_form(quiz, section, "single", [("CNSA", True), ("NASA", False)])
    response = admin_client_logged_in.post(add_url("single"), form)
    assert response.status_code == 302
    assert Question.objects.get().choices.count() == 2


def test_evidence_must_come_from_the_quizs_own_lesson(admin_client_logged_in):
    quiz = QuizFactory()
    elsewhere = SectionFactory()
    form = question_form(quiz, elsewhere, "single", [("CNSA", True), ("NASA", False)])
    response = admin_client_logged_in.post(add_url("single"), form)
    assert "The evidence must be a section of this lesson." in response.text
    assert not Question.objects.exists()


def option_order(client, attempt) -> list[str]:
    """The option letters in the order the question page shows them."""
    page = client.get(reverse("quizzes:attempt_question", args=[attempt.public_id, 1])).text
    return sorted("ABCDEFGH", key=lambda letter: page.index(f"<span>Option {letter}</span>"))


@pytest.mark.parametrize("shuffle", [True, False])
def test_choices_keep_one_order_per_attempt_and_differ_between_attempts(client, shuffle):
    quiz = QuizFactory(is_practice=True)
    options = [(f"Option {letter}", letter == "A") for letter in "ABCDEFGH"]
    QuestionFactory(quiz=quiz, choices=options, shuffle=shuffle)
    student = UserFactory(username="shuffler")
    client.force_login(student)
    attempts = [AttemptFactory(quiz=quiz, user=student) for _ in range(4)]

    orders = [option_order(client, attempt) for attempt in attempts]

    assert all(option_order(client, a) == order for a, order in zip(attempts, orders, strict=True))
    if shuffle:
        assert len({tuple(order) for order in orders}) > 1
    else:
        assert all(order == list("ABCDEFGH") for order in orders)


def test_questions_are_edited_on_their_own_page_not_in_the_quiz_table(admin_client_logged_in):
    question = QuestionFactory()
    page = admin_client_logged_in.get(
        reverse("admin:quizzes_quiz_change", args=[question.quiz.pk])
    ).text
    assert 'name="questions-0-kind"' not in page  # no way round the answer-key checks
    assert reverse("admin:quizzes_question_change", args=[question.pk]) in page


def test_other_cited_sections_must_come_from_the_quizs_own_lesson(admin_client_logged_in):
    quiz = QuizFactory()
    section, elsewhere = SectionFactory(lesson=quiz.lesson), SectionFactory()
    form = question_form(quiz, section, "single", [("CNSA", True), ("NASA", False)])
    response = admin_client_logged_in.post(
        add_url("single"), {**form, "also_cites": [elsewhere.pk]}
    )
    assert "Every cited section must be a section of this lesson." in response.text
    assert not Question.objects.exists()


def test_a_question_saves_the_other_sections_it_cites(admin_client_logged_in):
    quiz = QuizFactory()
    section, timeline = SectionFactory(lesson=quiz.lesson), SectionFactory(lesson=quiz.lesson)
    form = question_form(quiz, section, "single", [("CNSA", True), ("NASA", False)])
    admin_client_logged_in.post(add_url("single"), {**form, "also_cites": [timeline.pk]})
    assert Question.objects.get().cited_sections == [section, timeline]


def test_the_admin_shows_the_form_each_accepted_short_answer_matches(admin_client_logged_in):
    question = QuestionFactory(
        kind="short_text",
        ignore_articles=True,
        synonyms="U.S. = USA = United States",
        choices=[("the United States", True), ("Chang'e-5", True)],
    )
    page = admin_client_logged_in.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    assert "Matches answers that read" in page.text
    cells = page.text.split('class="field-matches_as"')[1:3]  # then the blank new row
    assert [cell.split("<p>")[1].split("</p>")[0] for cell in cells] == ["us", "change 5"]


def test_the_admin_lists_the_units_a_numeric_question_accepts(admin_client_logged_in):
    question = QuestionFactory(
        kind="numeric", numeric_answer=1731, unit="g", unit_convertible=True, choices=[]
    )
    page = admin_client_logged_in.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    assert "g, gram, gramme, gm, 克, 公克, in the singular or plural, in any case; or no unit." in (
        page.text
    )
    assert "Converted: mg, kg, t." in page.text
