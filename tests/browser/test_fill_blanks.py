"""Fill in the blanks in a real browser: each gap found by its label, typed gaps saved as
the student types (as short text is), chosen gaps on change, and an accessible page."""

import pytest
from playwright.sync_api import expect

from quizzes import kinds
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Attempt, Question
from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_gaps_are_labelled_saved_as_typed_and_kept_on_reload(page, student, make_assignment):
    quiz = QuizFactory(title="Gaps")
    fields, choices = kinds.get(Question.Kind.FILL_BLANKS).example()
    question = QuestionFactory(quiz=quiz, kind=Question.Kind.FILL_BLANKS, choices=choices, **fields)
    make_assignment(quiz, feedback_mode="deferred")
    log_in(page, "student")
    page.goto("/dashboard/")
    page.get_by_role("button", name="Start").click()

    typed = page.get_by_label("Gap 2 of 2")
    typed.press_sequentially("2019")  # no change event: the pause in typing saves it
    expect(page.locator("#save-status")).to_contain_text("Answer saved")
    response = Attempt.objects.get().responses.get()
    assert response.answer == {str(question.choices.get(position=2).pk): "2019"}

    page.get_by_label("Gap 1 of 2").select_option(label="far")
    expect(page.locator("#save-status")).to_contain_text("Answer saved")
    page.reload()
    expect(page.get_by_label("Gap 2 of 2")).to_have_value("2019")
    expect(page.get_by_label("Gap 1 of 2").locator("option:checked")).to_have_text("far")
    assert Attempt.objects.get().responses.get().points == question.points
    assert_accessible(page)
