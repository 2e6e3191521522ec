"""The question form shows the fields of the chosen kind only, with or without JavaScript:
the kind is chosen first, a change of kind says what it drops, errors are listed on top."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from lessons.factories import SectionFactory
from quizzes import kinds
from quizzes.factories import AttemptFactory, QuestionFactory, QuizFactory
from quizzes.models import Choice, Question

pytestmark = pytest.mark.django_db

ADD = "/admin/quizzes/question/add/"


@pytest.fixture
def quiz(teacher):
    quiz = QuizFactory(title="Wolf quiz", owners=[teacher])
    SectionFactory(lesson=quiz.lesson, anchor="law", heading="A law from 2011")
    return quiz


def field_names(page: str) -> set[str]:
    return set(re.findall(r'name="([^"]+)"', page))


def new_question(quiz, **fields) -> dict:
    """What the form for a new question posts, with no choice rows unless given."""
    return {
        "quiz": quiz.pk,
        "key": "wolf-year",
        "position": "1",
        "level": "recall",
        "points": "1",
        "prompt": "When was the Wolf Amendment passed?",
        "explanation": "The article says 2011.",
        "evidence": quiz.lesson.sections.get().pk,
        "choices-TOTAL_FORMS": "0",
        "choices-INITIAL_FORMS": "0",
        **fields,
    }


def choice_rows(*rows) -> dict:
    """Choice rows as the form posts them: dicts of the columns shown."""
    data = {"choices-TOTAL_FORMS": str(len(rows)), "choices-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        data.update({f"choices-{n}-{name}": value for name, value in row.items()})
    return data


def test_adding_a_question_asks_for_its_kind_first(teacher_client):
    page = teacher_client.get(ADD, {"quiz": "7"}).text
    for kind in Question.Kind.values:
        assert f'name="kind" value="{kind}"' in page
    assert "A written answer that you mark by hand." in page
    assert 'name="prompt"' not in page
    assert '<input type="hidden" name="quiz" value="7">' in page  # kept for the next page


def test_the_single_choice_form_has_no_tolerance_unit_numeric_value_or_matches(teacher_client):
    names = field_names(teacher_client.get(ADD, {"kind": "single"}).text)
    assert {"prompt", "shuffle", "choices-0-text", "choices-0-is_correct"} <= names
    assert not names & {"tolerance", "unit", "unit_words", "numeric_answer", "kind"}
    assert not names & {"strict_text", "ignore_articles", "synonyms"}
    assert not any(name.endswith("match_text") for name in names)


def test_the_numeric_form_has_no_choices(teacher_client):
    names = field_names(teacher_client.get(ADD, {"kind": "numeric"}).text)
    assert {"numeric_answer", "tolerance", "unit", "unit_words", "unit_convertible"} <= names
    assert not any(name.startswith("choices-") for name in names)
    assert "shuffle" not in names


def test_the_short_text_form_has_its_matching_options_and_accepted_answers(teacher_client):
    page = teacher_client.get(ADD, {"kind": "short_text"}).text
    names = field_names(page)
    assert {"strict_text", "ignore_articles", "synonyms", "choices-0-text"} <= names
    assert not names & {"shuffle", "choices-0-is_correct", "choices-0-position", "tolerance"}
    assert "Accepted answers" in page


def test_the_matching_form_has_pairs_and_no_correct_ticks(teacher_client):
    page = teacher_client.get(ADD, {"kind": "matching"}).text
    names = field_names(page)
    assert {"choices-0-text", "choices-0-match_text"} <= names
    assert "choices-0-is_correct" not in names
    assert "Pairs: each item and its match" in page


def test_the_essay_form_calls_the_explanation_a_marking_guide(teacher_client):
    page = teacher_client.get(ADD, {"kind": "essay"}).text
    assert '<label class="required" for="id_explanation">Marking guide:</label>' in page
    assert "for whoever marks it" in page


def test_a_new_single_choice_question_is_saved_without_javascript(teacher_client, quiz):
    data = new_question(
        quiz,
        **choice_rows(
            {"position": "1", "text": "2011", "is_correct": "on"},
            {"position": "2", "text": "2006"},
        ),
    )
    saved = teacher_client.post(f"{ADD}?kind=single", data)
    assert saved.status_code == 302
    question = Question.objects.get()
    assert question.kind == Question.Kind.SINGLE
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("2011", True),
        ("2006", False),
    ]


def test_short_text_answers_listed_are_the_accepted_ones(teacher_client, quiz):
    data = new_question(quiz, **choice_rows({"text": "Wolf Amendment"}, {"text": "the Wolf"}))
    teacher_client.post(f"{ADD}?kind=short_text", data)
    question = Question.objects.get()
    assert [(c.position, c.is_correct) for c in question.choices.all()] == [(1, True), (2, True)]
    assert kinds.score(question.answer_key(), "wolf amendment", question.points) == 1


def test_save_and_add_another_opens_the_same_kind_for_the_same_quiz(teacher_client, quiz):
    data = new_question(quiz, numeric_answer="2011", tolerance="0", _addanother="1")
    saved = teacher_client.post(f"{ADD}?kind=numeric", data)
    assert saved["Location"] == f"{ADD}?kind=numeric&quiz={quiz.pk}"


def test_an_answer_key_error_is_listed_at_the_top_with_a_link_to_the_choices(teacher_client, quiz):
    rows = choice_rows({"position": "1", "text": "2011"}, {"position": "2", "text": "2006"})
    page = teacher_client.post(f"{ADD}?kind=single", new_question(quiz, **rows)).text
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)[0]
    assert "autofocus" in summary
    assert (
        '<a href="#choices-group">Choices: tick the right one: Mark exactly one choice as '
        "correct.</a>" in summary
    )
    assert page.index("error-summary") < page.index('name="prompt"')
    assert not Question.objects.exists()


def test_a_missing_numeric_value_is_listed_at_the_top_and_next_to_its_field(teacher_client, quiz):
    page = teacher_client.post(f"{ADD}?kind=numeric", new_question(quiz, tolerance="0")).text
    message = "A numeric question needs the value of its answer."
    assert f'<a href="#id_numeric_answer">Numeric answer: {message}</a>' in page
    row = re.search(r'<div class="form-row field-numeric_answer">.*?</div>', page, re.S)[0]
    assert f'<ul class="errorlist" id="id_numeric_answer_error"><li>{message}</li></ul>' in row
    assert 'aria-describedby="id_numeric_answer_error"' in row


# Changing the kind of a question


@pytest.fixture
def single(quiz):
    return QuestionFactory(
        quiz=quiz,
        prompt="Which agency is China's?",
        choices=[("CNSA", True), ("NASA", False)],
        evidence=quiz.lesson.sections.get(),
    )


def test_changing_the_kind_says_what_goes_and_changes_nothing_yet(teacher_client, single):
    page = teacher_client.get(f"/admin/quizzes/question/{single.pk}/kind/", {"kind": "numeric"})
    assert "From Single choice to Numeric" in page.text
    assert "2 choices: CNSA; NASA" in page.text
    assert f'href="/admin/quizzes/question/{single.pk}/change/?kind=numeric"' in page.text
    single.refresh_from_db()
    assert single.kind == Question.Kind.SINGLE and single.choices.count() == 2


def test_the_form_for_the_new_kind_drops_the_choices_when_saved(teacher_client, single):
    url = f"/admin/quizzes/question/{single.pk}/change/?kind=numeric"
    form = teacher_client.get(url).text
    assert "Changing this question from Single choice to Numeric." in form
    assert 'name="numeric_answer"' in form and 'name="choices-TOTAL_FORMS"' not in form
    data = new_question(single.quiz, key=single.key, prompt="How many?", numeric_answer="2")
    assert teacher_client.post(url, {**data, "tolerance": "0"}).status_code == 302
    single.refresh_from_db()
    assert (single.kind, single.numeric_answer) == (Question.Kind.NUMERIC, Decimal(2))
    assert not Choice.objects.filter(question=single).exists()


def test_a_change_to_short_text_keeps_the_right_choices_as_accepted_answers(teacher_client, single):
    url = f"/admin/quizzes/question/{single.pk}/change/?kind=short_text"
    form = teacher_client.get(url).text
    assert 'value="CNSA"' in form and 'value="NASA"' not in form
    cnsa = single.choices.get(text="CNSA")
    data = new_question(
        single.quiz,
        key=single.key,
        **{
            "choices-TOTAL_FORMS": "2",
            "choices-INITIAL_FORMS": "1",
            "choices-0-id": cnsa.pk,
            "choices-0-question": single.pk,
            "choices-0-text": "CNSA",
            "choices-1-question": single.pk,
            "choices-1-text": "China National Space Administration",
        },
    )
    assert teacher_client.post(url, data).status_code == 302
    single.refresh_from_db()
    assert single.kind == Question.Kind.SHORT_TEXT
    assert [(c.text, c.is_correct) for c in single.choices.all()] == [
        ("CNSA", True),
        ("China National Space Administration", True),
    ]


def test_a_question_students_answered_keeps_its_kind(teacher_client, single):
    attempt = AttemptFactory(quiz=single.quiz)
    attempt.save_answer(single, single.choices.get(text="CNSA").pk)
    page = teacher_client.get(f"/admin/quizzes/question/{single.pk}/kind/", {"kind": "numeric"})
    assert "Students have already answered this question as single choice" in page.text
    assert "?kind=numeric" not in page.text
    url = f"/admin/quizzes/question/{single.pk}/change/?kind=numeric"
    data = new_question(single.quiz, key=single.key, numeric_answer="2", tolerance="0")
    teacher_client.post(url, data)
    single.refresh_from_db()
    assert single.kind == Question.Kind.SINGLE
    assert single.choices.count() == 2
    assert attempt.responses.get().points == 1  # the answer still reads and scores


def test_a_choice_left_half_filled_is_listed_with_its_number(teacher_client, quiz):
    rows = choice_rows({"position": "1", "text": "2011", "is_correct": "on"}, {"position": "2"})
    rows["choices-1-is_correct"] = "on"
    page = teacher_client.post(f"{ADD}?kind=single", new_question(quiz, **rows)).text
    assert '<a href="#id_choices-1-text">Choice 2: This field is required.</a>' in page


def test_the_kind_page_of_a_question_that_does_not_exist_is_a_404(teacher_client):
    url = reverse("admin:quizzes_question_kind", args=[987654])
    assert teacher_client.get(url).status_code == 404
