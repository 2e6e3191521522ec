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


CHINESE_QUESTIONS = {  # English prompt: its Chinese, its explanation's, its choices'
    "Which agency is China's?": (
        "哪个机构是中国的？",
        "国家航天局是中国的航天机构。",
        ["国家航天局"],
    ),
    "When was the Wolf Amendment passed?": ("沃尔夫条款是哪一年通过的？", "2011年。", ["2011年"]),
    "Which law limits NASA's work with China?": (
        "哪一项法律限制NASA与中国合作？",
        "沃尔夫条款。",
        ["沃尔夫条款"],
    ),
}
CHINESE_CHOICES = {"CNSA": "国家航天局", "NASA": "美国国家航空航天局", "OSTP": "白宫科技政策办公室"}


def give_chinese(quiz):
    """Write the quiz's questions in Chinese too, as a teacher does in the admin."""
    for question in quiz.questions.all():
        question.prompt_zh, question.explanation_zh, _ = CHINESE_QUESTIONS[question.prompt]
        question.save()
        for choice in question.choices.all():
            choice.text_zh = (
                CHINESE_CHOICES.get(choice.text) or CHINESE_QUESTIONS[question.prompt][2][0]
            )
            choice.save()


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
    give_chinese(quiz)
    page = chinese_page
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_label(chinese("Username")).fill("student")
    page.get_by_label(chinese("Password")).fill("correct horse battery")
    page.get_by_role("button", name=chinese("Log in")).click()
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name=chinese("Start the quiz")).click()

    expect(page.get_by_text(question_of(1, 2)).first).to_be_visible()
    expect(page.locator("legend .prompt")).to_have_attribute("lang", "zh-hans")
    # The English beside it, marked as English for screen readers.
    page.get_by_text(chinese("This question in %(language)s") % {"language": "English"}).click()
    expect(page.locator(".other-language div[lang=en]")).to_contain_text("Which agency is China's?")
    assert_accessible(page)
    page.get_by_label("国家航天局").check()
    page.get_by_role("button", name=chinese("Check answer")).click()
    expect(page.locator("#main .feedback")).to_contain_text(chinese("Correct."))
    expect(page.locator("#main .feedback .explanation")).to_have_text(
        "国家航天局是中国的航天机构。"
    )
    page.get_by_role("link", name=chinese("Next")).click()  # htmx: the address is pushed
    expect(page.get_by_text(question_of(2, 2)).first).to_be_visible()
    expect(page.get_by_text("沃尔夫条款是哪一年通过的？")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_text("Question 2 of 2").first).to_be_visible()
    expect(page.get_by_text("When was the Wolf Amendment passed?").first).to_be_visible()
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
    lesson,  # noqa: F811
):
    give_chinese(lesson.quizzes.get())
    page = chinese_context.new_page()
    page.set_default_timeout(10_000)
    page.goto(host_page_url)
    frame = embedded_frame(page)
    assert frame.evaluate("document.documentElement.lang") == "zh-hans"
    frame.get_by_role("button", name=chinese("Start the practice quiz")).click()
    expect(frame.get_by_text(question_of(1, 2)).first).to_be_visible()
    frame.get_by_label("国家航天局").check()
    frame.get_by_role("button", name=chinese("Check answer")).click()
    expect(frame.locator(".feedback")).to_contain_text(chinese("Correct."))
    assert_frame_accessible(frame)
    frame.get_by_role("button", name=chinese("Next question")).click()
    expect(frame.get_by_text(question_of(2, 2)).first).to_be_visible()
    expect(frame.get_by_text("哪一项法律限制NASA与中国合作？")).to_be_visible()

    # Third-party cookies are blocked here: the choice travels with the form, not a cookie.
    frame.get_by_role("button", name="English").click()
    frame = embedded_frame(page)
    expect(frame.get_by_text("Question 2 of 2").first).to_be_visible()
    assert frame.evaluate("document.documentElement.lang") == "en"
    assert_frame_accessible(frame)
    expect(frame.get_by_text("Which law limits NASA's work with China?").first).to_be_visible()
    frame.get_by_label("Your answer").fill("沃尔夫条款")  # typed in Chinese on an English page
    frame.get_by_role("button", name="Check answer").click()
    expect(frame.locator(".feedback")).to_contain_text("Correct.")
    assert Attempt.objects.count() == 1
