"""The assigned-quiz flow in a real browser: autosave, reloads, network loss, timers, a11y."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quizzes.models import Attempt
from tests.browser.conftest import assert_accessible, log_in, tab_to

pytestmark = pytest.mark.django_db(transaction=True)


def take_assigned_quiz(page, make_assignment, quiz, **rules):
    """The quiz is assigned to the student's class; they log in and start it."""
    make_assignment(quiz, **rules)
    log_in(page, "student")
    start_from_dashboard(page)


def start_from_dashboard(page):
    page.goto("/dashboard/")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("Question 1 of 2").first).to_be_visible()


def test_every_answer_survives_a_reload(page, student, quiz, make_assignment):
    take_assigned_quiz(page, make_assignment, quiz, feedback_mode="deferred")

    page.get_by_label("NASA").check()
    expect(page.locator("#save-status")).to_contain_text("Answer saved")
    # The autosave swapped in this question's navigator link, in its place in the list.
    expect(page.locator("#question-navigator li").first).to_contain_text("Question 1, answered")
    expect(page.locator("#question-navigator li")).to_have_count(2)
    page.reload()
    expect(page.get_by_label("NASA")).to_be_checked()

    page.get_by_role("link", name="Next").click()
    page.get_by_label("2011").check()
    expect(page.locator("#save-status")).to_contain_text("Answer saved")
    page.reload()
    expect(page.get_by_label("2011")).to_be_checked()
    expect(page.locator("#question-navigator")).to_contain_text("Question 1, answered")
    expect(page.get_by_text("2 of 2 answered")).to_be_visible()

    # Closing the tab and coming back resumes the same attempt.
    page.goto("/dashboard/")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_label("2011").or_(page.get_by_label("NASA")).first).to_be_checked()
    assert Attempt.objects.count() == 1


def test_an_answer_given_offline_is_shown_unsaved_and_retried(page, student, quiz, make_assignment):
    take_assigned_quiz(page, make_assignment, quiz, feedback_mode="deferred")

    page.context.set_offline(True)
    page.get_by_label("CNSA").check()
    expect(page.locator("#save-status")).to_contain_text("Not saved yet")
    assert not Attempt.objects.get().responses.exists()

    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text("Answer saved", timeout=15_000)
    assert Attempt.objects.get().responses.get().points == 1


def test_immediate_feedback_comes_after_each_answer(page, student, quiz, make_assignment):
    take_assigned_quiz(page, make_assignment, quiz, feedback_mode="immediate")
    page.get_by_label("NASA").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#main").get_by_text("Not quite.")).to_be_visible()
    expect(page.locator("#main").get_by_text("Right answer: CNSA")).to_be_visible()
    expect(page.get_by_label("CNSA")).to_be_disabled()


def test_deferred_feedback_waits_for_submission(page, student, quiz, make_assignment):
    take_assigned_quiz(page, make_assignment, quiz, feedback_mode="deferred")
    page.get_by_label("NASA").check()
    expect(page.locator("#save-status")).to_contain_text("Answer saved")
    expect(page.get_by_text("Not quite.")).to_have_count(0)

    page.get_by_role("link", name="Review all answers and submit").click()
    page.get_by_role("button", name="Submit my answers").dblclick()
    expect(page.get_by_text("You scored 0 out of 2.")).to_be_visible()
    expect(page.get_by_text("Not quite.")).to_be_visible()
    assert Attempt.objects.submitted().count() == 1


def test_keyboard_only_completion(page, student, quiz, make_assignment):
    make_assignment(quiz, feedback_mode="deferred")
    log_in(page, "student")
    page.goto("/dashboard/")
    tab_to(page, page.get_by_role("button", name="Start"))
    page.keyboard.press("Enter")

    expect(page.get_by_text("Question 1 of 2").first).to_be_visible()
    first_option = page.locator("input[name=choice]").first
    tab_to(page, first_option)
    page.keyboard.press("Space")
    expect(page.locator("#save-status")).to_contain_text("Answer saved")

    tab_to(page, page.get_by_role("link", name="Next"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Question 2 of 2").first).to_be_visible()
    # After the swap focus is on the new question, so Tab reaches its options next.
    expect(page.locator("#question-heading")).to_be_focused()
    tab_to(page, page.locator("input[name=choice]").first, presses=3)
    page.keyboard.press("Space")
    expect(page.get_by_text("2 of 2 answered")).to_be_visible()

    tab_to(page, page.get_by_role("link", name="Review and submit"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Submit my answers"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("You scored")).to_be_visible()
    assert Attempt.objects.get().responses.count() == 2


def test_the_server_submits_an_expired_attempt_even_with_the_tab_closed(
    page, student, quiz, make_assignment
):
    make_assignment(quiz, time_limit=timedelta(minutes=10))
    log_in(page, "student")
    start_from_dashboard(page)
    expect(page.get_by_role("timer")).to_contain_text("9:5")  # counting down from 10:00
    page.get_by_label("CNSA").check()
    expect(page.locator("#save-status")).to_contain_text("Answer saved")
    page.goto("about:blank")  # the student leaves

    Attempt.objects.update(deadline=timezone.now() - timedelta(seconds=1))
    page.goto("/dashboard/")
    expect(page.get_by_text("Graded")).to_be_visible()
    expect(page.get_by_text("You have used all 1 of your attempts.")).to_be_visible()
    attempt = Attempt.objects.get()
    assert attempt.is_submitted and attempt.score == 1


def test_a_past_due_quiz_cannot_be_started(page, student, quiz, make_assignment):
    make_assignment(quiz, due_at=timezone.now() - timedelta(hours=1))
    log_in(page, "student")
    page.goto("/dashboard/")
    expect(page.get_by_text("it no longer takes attempts")).to_be_visible()
    expect(page.get_by_role("button", name="Start")).to_have_count(0)


def test_assigned_quiz_works_without_javascript(page_without_js, student, quiz, make_assignment):
    page = page_without_js
    take_assigned_quiz(page, make_assignment, quiz, feedback_mode="deferred")
    page.get_by_label("CNSA").check()
    page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_text("Question 2 of 2").first).to_be_visible()
    page.get_by_role("button", name="Flag for review").click()
    expect(page.get_by_role("button", name="Flagged for review: remove flag")).to_be_visible()
    page.get_by_label("2011").check()
    page.get_by_role("button", name="Save and review").click()
    expect(page.get_by_text("Flagged")).to_be_visible()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("You scored 2 out of 2.")).to_be_visible()


# The page's background in each of the system's modes (site.css: --wash).
BACKGROUND = {"light": "rgb(243, 245, 248)", "dark": "rgb(18, 22, 25)"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_student_pages_have_no_axe_violations(page, student, quiz, make_assignment, scheme):
    page.emulate_media(color_scheme=scheme)
    make_assignment(quiz, feedback_mode="deferred")
    page.goto("/")
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == BACKGROUND[scheme]
    for url in ("/", quiz.lesson.get_absolute_url(), "/accounts/login/", "/accounts/signup/"):
        page.goto(url)
        assert_accessible(page)
    log_in(page, "student")
    for url in ("/dashboard/", "/join/", quiz.get_absolute_url()):
        page.goto(url)
        assert_accessible(page)
    start_from_dashboard(page)
    assert_accessible(page)
    page.get_by_label("CNSA").check()
    expect(page.locator("#save-status")).to_contain_text("Answer saved")
    page.get_by_role("button", name="Flag for review").click()
    expect(page.get_by_text("Question flagged for review.")).to_be_visible()
    expect(page.locator("#nav-1")).to_contain_text("Question 1, answered, flagged")
    assert_accessible(page)
    page.get_by_role("link", name="Review all answers and submit").click()
    assert_accessible(page)
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("You scored")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_immediate_feedback_page_has_no_axe_violations(
    page, student, quiz, make_assignment, scheme
):
    page.emulate_media(color_scheme=scheme)
    take_assigned_quiz(page, make_assignment, quiz, feedback_mode="immediate")
    page.get_by_label("NASA").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#main").get_by_text("Not quite.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Next").click()  # a right answer's colours too
    page.get_by_label("2011").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#main").get_by_text("Correct")).to_be_visible()
    assert_accessible(page)


def test_results_print_without_the_site_around_them(page, student, quiz, make_assignment):
    student.first_name, student.last_name = "Ada", "Lovelace"
    student.save()
    take_assigned_quiz(page, make_assignment, quiz, feedback_mode="deferred")
    page.get_by_label("NASA").check()
    expect(page.locator("#save-status")).to_contain_text("Answer saved")
    page.get_by_role("link", name="Review all answers and submit").click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("You scored 0 out of 2.")).to_be_visible()
    expect(page.get_by_text("Ada Lovelace · submitted")).to_be_hidden()

    page.emulate_media(media="print", color_scheme="dark")  # paper is white whatever the screen
    for chrome in ["Log out student", "Back to my quizzes", "Skip to content"]:
        expect(page.get_by_text(chrome)).to_be_hidden()
    expect(page.get_by_text("Ada Lovelace · submitted")).to_be_visible()
    expect(page.get_by_text("You scored 0 out of 2.")).to_be_visible()
    expect(page.get_by_role("heading", name="Which agency is China's?")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    assert_accessible(page)


@pytest.mark.parametrize("width, zoom", [(320, 1), (640, 2)])
def test_question_page_fits_narrow_screens_and_zoom(
    chromium, live_server, student, quiz, make_assignment, width, zoom
):
    make_assignment(quiz, feedback_mode="deferred")
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": width // zoom, "height": 640 // zoom},
        device_scale_factor=zoom,
    )
    page = context.new_page()
    log_in(page, "student")
    start_from_dashboard(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px at {width}px / {zoom * 100}%"
    context.close()


def test_the_evidence_link_highlights_the_passage(page, student, quiz, make_assignment):
    take_assigned_quiz(page, make_assignment, quiz, feedback_mode="immediate")
    page.get_by_label("CNSA").check()
    page.get_by_role("button", name="Check answer").click()
    link = page.get_by_role("link", name="Read the evidence in the lesson")
    anchor = quiz.questions.get(position=1).evidence.anchor
    assert link.get_attribute("href").endswith(f"#{anchor}")

    page.goto(link.get_attribute("href"))
    section = page.locator(f"#{anchor}")
    expect(section).to_be_in_viewport()
    assert section.evaluate("element => element.matches(':target')")
    expect(section).to_have_css("outline-style", "solid")  # highlighted, not just scrolled to


def test_checking_an_answer_offline_says_nothing_was_sent(page, student, quiz, make_assignment):
    take_assigned_quiz(page, make_assignment, quiz, feedback_mode="immediate")
    page.context.set_offline(True)
    page.get_by_label("CNSA").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#save-status")).to_contain_text("No connection: nothing was sent")
    page.context.set_offline(False)
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#main").get_by_text("Correct.")).to_be_visible()
