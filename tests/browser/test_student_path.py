import pytest
from playwright.sync_api import expect

from quizzes.models import Attempt
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quiz(quiz):
    """The conftest quiz as the lesson's practice quiz, which the lesson page offers."""
    quiz.is_practice = True
    quiz.save()
    return quiz


def take_quiz(page, quiz):
    page.goto("/")
    page.get_by_role("link", name=quiz.lesson.title).click()
    page.get_by_role("link", name=quiz.title).click()
    page.get_by_role("button", name="Start the quiz").click()

    expect(page.get_by_text("Question 1 of 2").first).to_be_visible()
    page.get_by_label("CNSA").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#main").get_by_text("Correct.")).to_be_visible()
    expect(page.get_by_text("1 of 2 answered")).to_be_visible()

    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Question 2 of 2").first).to_be_visible()
    page.get_by_label("2006").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#main").get_by_text("Not quite.")).to_be_visible()
    expect(page.locator("#main").get_by_text("Right answer: 2011")).to_be_visible()

    page.get_by_role("link", name="Review and submit").first.click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("You scored 1 out of 2.")).to_be_visible()


def test_student_takes_a_quiz_with_htmx_swaps(page, student, quiz):
    log_in(page, "student")
    page.goto("/")
    # A marker on window survives only if answering never reloads the whole page.
    page.evaluate("window.stillTheSamePage = true")
    with page.expect_navigation():
        page.get_by_role("link", name=quiz.lesson.title).click()
    page.get_by_role("link", name=quiz.title).click()
    page.get_by_role("button", name="Start the quiz").click()
    page.evaluate("window.stillTheSamePage = true")
    question_url = page.url

    page.get_by_label("CNSA").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#main").get_by_text("Correct.")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url == question_url
    # Focus follows the swap to the feedback, and the live region reads it out.
    expect(page.locator(".feedback")).to_be_focused()
    expect(page.locator("#question-navigator")).to_contain_text("Question 1, answered")
    expect(page.locator("#announcer")).to_contain_text("Correct.")

    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Question 2 of 2").first).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.url.endswith("/questions/2/")  # hx-push-url keeps the address right
    page.go_back()
    expect(page.get_by_text("Question 1 of 2").first).to_be_visible()


def test_student_path_end_to_end(page, student, quiz):
    log_in(page, "student")
    take_quiz(page, quiz)
    attempt = Attempt.objects.get()
    assert attempt.is_submitted and attempt.score == 1


def test_student_path_works_with_javascript_disabled(page_without_js, student, quiz):
    log_in(page_without_js, "student")
    take_quiz(page_without_js, quiz)
    assert Attempt.objects.get().score == 1
