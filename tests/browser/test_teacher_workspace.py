"""The teacher's workspace in a real browser: lists that fit a laptop screen, marking by
keyboard that puts the cursor where the problem is, and the question form without JS."""

import re
from decimal import Decimal
from importlib import import_module

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.factories import TeacherFactory
from classrooms.models import Classroom
from quizzes.models import Question, Response
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1280, "height": 800}
TEACHER_PERMISSIONS = import_module("classrooms.migrations.0003_teachers_group").PERMISSIONS


@pytest.fixture
def teacher(transactional_db):
    """The teacher, in the Teachers group: a data migration makes it, and emptying the
    database between live-server tests takes it away (serialized_rollback did not bring it
    back for a second live-server test run after other tests)."""
    group, created = Group.objects.get_or_create(name="Teachers")
    if created:
        group.permissions.set(
            Permission.objects.get(
                content_type__app_label=app, content_type__model=model, codename=f"{do}_{model}"
            )
            for app, models in TEACHER_PERMISSIONS.items()
            for model, actions in models.items()
            for do in actions.split()
        )
    return TeacherFactory(username="teacher", first_name="Tess", last_name="Teacher")


@pytest.fixture
def school(teacher, capsys):
    """The shipped quizzes and the demo class, plus a made-up school of 3 classes of 25
    students, 1,500 answers between them, all taught by `teacher`."""
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    call_command("demo_class")
    call_command("generate_school", students=75, classes=3, responses=1500, seed=5, force=True)
    capsys.readouterr()  # the demo passwords, printed
    for classroom in Classroom.objects.all():
        classroom.teachers.add(teacher)


def table_overflow(page, table="#result_list") -> dict:
    """How far the table reaches past its scrolling container and past the window."""
    return page.evaluate(
        """selector => {
            const table = document.querySelector(selector);
            const box = table.parentElement;
            return {
                past_container: table.scrollWidth - box.clientWidth,
                past_window: Math.ceil(table.getBoundingClientRect().right) - window.innerWidth,
                page_scrolls: document.documentElement.scrollWidth > window.innerWidth,
            };
        }""",
        table,
    )


@pytest.mark.parametrize(
    "url",
    [
        "/admin/classrooms/assignment/",
        "/admin/quizzes/attempt/",
        "/admin/quizzes/response/",
        "/admin/quizzes/response/?waiting=yes",
    ],
)
def test_each_list_fits_a_1280_px_window(page, school, url):
    page.set_viewport_size(LAPTOP)
    log_in(page, "teacher")
    page.goto(url)
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    overflow = table_overflow(page)
    assert overflow["past_container"] <= 0, overflow  # no sideways scrolling in the list
    assert overflow["past_window"] <= 0 and not overflow["page_scrolls"], overflow


def test_the_home_page_fits_and_links_to_each_gradebook(page, school):
    page.set_viewport_size(LAPTOP)
    log_in(page, "teacher")
    page.goto("/admin/")
    overflow = table_overflow(page, "#my-classes")
    assert overflow["past_container"] <= 0 and not overflow["page_scrolls"], overflow
    expect(page.get_by_role("link", name="Gradebook of Demo class")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^\d+ answers to mark$")).click()
    expect(page.get_by_role("heading", name="Marking")).to_be_visible()


@pytest.fixture
def marked_essay(teacher, take_quiz):
    """Ada's submitted essay (4 points), marked 2 already."""
    from accounts.factories import UserFactory
    from classrooms.factories import AssignmentFactory, ClassroomFactory, EnrollmentFactory
    from quizzes.factories import QuestionFactory, QuizFactory

    quiz = QuizFactory(title="Wolf quiz")
    essay = QuestionFactory(
        quiz=quiz,
        kind=Question.Kind.ESSAY,
        points=Decimal(4),
        prompt="Why did dialogue stop?",
        choices=[],
    )
    classroom = ClassroomFactory(name="Orion Group", teachers=[teacher])
    ada = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    EnrollmentFactory(classroom=classroom, student=ada)
    attempt = take_quiz(
        AssignmentFactory(classroom=classroom, quiz=quiz), ada, {essay: "Because of a law."}
    )
    response = attempt.responses.get()
    Response.objects.filter(pk=response.pk).update(points=Decimal(2))
    return response


def test_a_score_change_by_keyboard_asks_for_the_reason_then_returns_to_the_attempt(
    page, marked_essay
):
    log_in(page, "teacher")
    attempt_url = f"/admin/quizzes/attempt/{marked_essay.attempt_id}/change/"
    page.goto(attempt_url)
    page.get_by_role("link", name="Change score").click()

    points = page.get_by_label("Points")
    expect(points).to_be_focused()
    expect(points).to_have_value("")
    expect(page.get_by_text("Score now: 2 of 4")).to_be_visible()
    page.keyboard.type("1")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Say why the score changes from 2.")).to_be_visible()
    expect(page.get_by_label("Reason for the change")).to_be_focused()
    page.keyboard.type("Second reading")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(f"{re.escape(attempt_url)}$"))
    expect(page.get_by_role("status")).to_contain_text("Saved 1 of 4 points for Ada Lovelace.")
    expect(page.locator("#score-changes")).to_contain_text("Second reading")
    marked_essay.refresh_from_db()
    assert marked_essay.points == Decimal("1.00")


def test_a_numeric_question_is_written_without_javascript(page_without_js, teacher):
    from lessons.factories import SectionFactory
    from quizzes.factories import QuizFactory

    quiz = QuizFactory(title="Wolf quiz", owners=[teacher])
    SectionFactory(lesson=quiz.lesson, heading="A law from 2011")
    page = page_without_js
    log_in(page, "teacher")
    page.goto(f"/admin/quizzes/question/add/?quiz={quiz.pk}")
    page.get_by_label("Numeric").check()
    page.get_by_role("button", name="Next: the question").click()

    expect(page.get_by_role("spinbutton", name="Numeric answer")).to_be_visible()
    expect(page.get_by_label("Shuffle choices")).to_have_count(0)
    expect(page.locator("#choices-group")).to_have_count(0)
    page.get_by_label("Short name").fill("wolf-year")
    page.locator("#id_prompt").fill("In which year was the amendment passed?")
    page.locator("#id_explanation").fill("The article says 2011.")
    page.get_by_label("Evidence").select_option(label=str(quiz.lesson.sections.get()))
    page.get_by_role("button", name="Save", exact=True).click()

    summary = page.get_by_role("link", name="Numeric answer: A numeric question needs the value")
    expect(summary).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()
    page.get_by_role("spinbutton", name="Numeric answer").fill("2011")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    question = Question.objects.get(key="wolf-year")
    assert (question.kind, question.numeric_answer, question.position) == ("numeric", 2011, 1)


def test_an_answer_key_error_far_down_the_form_is_shown_first(page, teacher):
    from lessons.factories import SectionFactory
    from quizzes.factories import QuizFactory

    quiz = QuizFactory(title="Wolf quiz", owners=[teacher])
    section = SectionFactory(lesson=quiz.lesson, heading="Two agencies")
    log_in(page, "teacher")
    page.goto(f"/admin/quizzes/question/add/?kind=single&quiz={quiz.pk}")
    expect(page.get_by_label("Tolerance")).to_have_count(0)
    page.get_by_label("Short name").fill("agency")
    page.locator("#id_prompt").fill("Which agency is China's?")
    page.locator("#id_explanation").fill("The article names the CNSA.")
    page.locator("#id_evidence").select_option(label=str(section))
    page.locator("#id_choices-0-text").fill("CNSA")
    page.locator("#id_choices-1-text").fill("NASA")  # and no right one ticked
    page.get_by_role("button", name="Save", exact=True).click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert summary.bounding_box()["y"] < page.viewport_size["height"]  # seen without scrolling
    page.get_by_role("link", name="Mark exactly one choice as correct.").click()
    expect(page.locator("#choices-group")).to_be_in_viewport()
    assert not Question.objects.exists()
