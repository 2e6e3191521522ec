"""A teacher imports questions through the quiz's admin page: the report, then the questions."""

import os

import pytest
from playwright.sync_api import expect

from accounts.factories import TeacherFactory
from lessons.factories import LessonFactory, SectionFactory
from quizzes.factories import QuizFactory
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.school import ensure_teachers_group

pytestmark = pytest.mark.django_db(transaction=True)

BANK = """// From Moodle
::Agency::Which agency runs China's lunar programme?
{=CNSA ~NASA ~%50%ESA#Close: a space agency, but Europe's.}

::Agencies::Which two bodies does the article name? {~%50%NASA ~%50%CNSA ~%-50%ESA ~%-50%JAXA}

::Landing::Chang'e 4 landed on the {=far ~near} side of the Moon.

::Sample::How many grams did Chang'e 5 bring back?{#=1731:0 =%50%1731:50}

Welcome to the quiz: read the lesson first.

::Broken::Which year was the Wolf Amendment passed?{=2011 ~2019
"""


def test_the_teacher_reads_the_report_then_creates_the_questions(page, live_server, run_tasks):
    ensure_teachers_group()
    teacher = TeacherFactory(username="teacher")
    lesson = LessonFactory(title="Waves")
    SectionFactory(lesson=lesson, heading="Who is making waves")
    quiz = QuizFactory(lesson=lesson, owners=[teacher], title="From Moodle")
    log_in(page, "teacher")
    page.goto(f"/admin/quizzes/quiz/{quiz.pk}/change/")
    shots = os.environ.get("SCREENSHOT_DIR")  # to look at the pages: a directory for PNGs
    if shots:
        page.screenshot(path=f"{shots}/quiz-page.png")
    page.get_by_role("link", name="Import questions").click()

    page.get_by_label("Or paste the questions").fill(BANK)
    page.get_by_role("button", name="Read the questions").click()
    problems = page.get_by_role("region", name="Lines that can’t be read")
    assert "The answers opened with { are never closed with }." in problems.inner_text()
    assert page.get_by_role("button", name="Create these 4 questions").count() == 0
    if shots:
        page.screenshot(path=f"{shots}/import-problems.png", full_page=True)

    fixed = BANK.replace("{=2011 ~2019\n", "{=2011 ~2019}\n")
    page.get_by_label("Or paste the questions").fill(fixed)
    page.get_by_role("button", name="Read the questions").click()
    table = page.get_by_role("region", name="Questions to create")
    assert "“ESA” earned 50%; here it earns nothing." in table.inner_text()
    if shots:
        page.screenshot(path=f"{shots}/import-report.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("button", name="Create these 5 questions").click()
    expect(page.get_by_text("Waiting for the background worker to start it.")).to_be_visible()
    run_tasks()
    expect(page.get_by_text("5 questions imported")).to_be_visible()
    if shots:
        page.screenshot(path=f"{shots}/import-done.png", full_page=True)
    assert quiz.questions.count() == 5
