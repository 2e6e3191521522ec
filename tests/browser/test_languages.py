"""The student path and the embed in Chinese, from a browser that asks for Chinese, and the
switch back to English that keeps the student on their question."""

import pytest
from playwright.sync_api import expect

from quizzes.models import Attempt
from tests.browser.conftest import assert_accessible
from tests.browser.test_embed import assert_accessible as assert_frame_accessible
from tests.browser.test_embed import (  # noqa: F401 (the embed tests' fixtures, used here)
    chromium_with_scrollbars,
    embedded_frame,
    host_page_url,
    host_site,
    lesson,
)
from tests.test_languages import chinese

pytestmark = pytest.mark.django_db(transaction=True)


def question_of(number, total) -> str:
    return chinese("Question %(number)s of %(total)s") % {"number": number, "total": total}


@pytest.fixture
def chinese_page(chromium, live_server):
    """A browser whose language is Chinese (its Accept-Language asks for zh-CN)."""
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_student_takes_a_quiz_in_chinese_and_switches_to_english(
    chinese_page, student, practice_quiz
):
    quiz = practice_quiz
    page = chinese_page
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_label(chinese("Username")).fill("student")
    page.get_by_label(chinese("Password")).fill("correct horse battery")
    page.get_by_role("button", name=chinese("Log in")).click()
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name=chinese("Start the quiz")).click()

    expect(page.get_by_text(question_of(1, 2)).first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("CNSA").check()
    page.get_by_role("button", name=chinese("Check answer")).click()
    expect(page.locator("#main .feedback")).to_contain_text(chinese("Correct."))
    page.get_by_role("link", name=chinese("Next")).click()  # htmx: the address is pushed
    expect(page.get_by_text(question_of(2, 2)).first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_text("Question 2 of 2").first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/questions/2/")
    expect(page.get_by_role("button", name="简体中文")).to_have_attribute("lang", "zh-hans")
    assert Attempt.objects.get().responses.filter(answer__isnull=False).count() == 1


@pytest.fixture
def chinese_context(chromium_with_scrollbars):  # noqa: F811
    context = chromium_with_scrollbars.new_context(
        viewport={"width": 1000, "height": 800}, locale="zh-CN"
    )
    yield context
    context.close()


def test_the_embed_in_chinese_switches_language_where_the_student_is(
    chinese_context,
    host_page_url,  # noqa: F811
):
    page = chinese_context.new_page()
    page.set_default_timeout(10_000)
    page.goto(host_page_url)
    frame = embedded_frame(page)
    assert frame.evaluate("document.documentElement.lang") == "zh-hans"
    frame.get_by_role("button", name=chinese("Start the practice quiz")).click()
    expect(frame.get_by_text(question_of(1, 2)).first).to_be_visible()
    frame.get_by_label("CNSA").check()
    frame.get_by_role("button", name=chinese("Check answer")).click()
    expect(frame.locator(".feedback")).to_contain_text(chinese("Correct."))
    assert_frame_accessible(frame)
    frame.get_by_role("button", name=chinese("Next question")).click()
    expect(frame.get_by_text(question_of(2, 2)).first).to_be_visible()

    # Third-party cookies are blocked here: the choice travels with the form, not a cookie.
    frame.get_by_role("button", name="English").click()
    frame = embedded_frame(page)
    expect(frame.get_by_text("Question 2 of 2").first).to_be_visible()
    assert frame.evaluate("document.documentElement.lang") == "en"
    assert_frame_accessible(frame)
    frame.get_by_label("Your answer").fill("Wolf Amendment")
    frame.get_by_role("button", name="Check answer").click()
    expect(frame.locator(".feedback")).to_contain_text("Correct.")
    assert Attempt.objects.count() == 1
