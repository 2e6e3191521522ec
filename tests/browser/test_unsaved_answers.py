"""Nothing a student chose is lost, whatever the server answers (or doesn't).

page.route() stands in for the faults: a save the server refuses (404, 500, a login page
after a redirect), a dropped connection, a server that never answers, a save held while
the student carries on. The page must keep the answer, say "Not saved yet", send it again
and only then say it is saved; tests/test_save_protocol.py covers the server's side.
"""

import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from quizzes.models import Attempt, Response
from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION_URLS = "**/attempts/*/questions/*/"


def start_quiz(page, make_assignment, quiz, feedback_mode="deferred"):
    make_assignment(quiz, feedback_mode=feedback_mode)
    log_in(page, "student")
    page.goto("/dashboard/")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("Question 1 of 2").first).to_be_visible()


def sign_out_in_another_tab(page):
    """The session ends while the quiz stays open: the student logs out in another tab."""
    other_tab = page.context.new_page()
    other_tab.goto("/dashboard/")
    other_tab.get_by_role("button", name="Log out student").click()
    # Closing a tab while its logout is still loading can hang Chromium's close for good
    # (seen about one run in ten): close it only once the logout has landed.
    other_tab.wait_for_url(lambda url: urlsplit(url).path == "/")  # the lesson list
    other_tab.wait_for_load_state()
    other_tab.close()


def stored_answers() -> dict:
    """What the database holds: choice text by question number."""
    return {
        r.question.position: r.question.choices.get(pk=r.answer).text
        for r in Response.objects.select_related("question").filter(answer__isnull=False)
    }


def wait_for_stored(page, expected: dict, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while stored_answers() != expected:
        assert time.monotonic() < deadline, f"stored {stored_answers()}, expected {expected}"
        page.wait_for_timeout(100)  # (not time.sleep: route handlers run in Playwright's calls)


class FailingSaves:
    """Answers autosaves as `failure` says until `.stop()`; records each save's revision."""

    def __init__(self, page, failure):
        self.failure = failure
        self.failing = True
        self.revisions = []
        page.route(QUESTION_URLS, self.handle)

    def handle(self, route):
        if route.request.method != "POST":
            route.continue_()
            return
        self.revisions.append(route.request.headers.get("x-answer-revision"))
        if not self.failing:
            route.continue_()
        elif self.failure == "network":
            route.abort("connectionreset")
        elif self.failure == "no answer":
            pass  # the page gives up after 15 s
        elif self.failure == "login page":
            route.fulfill(status=302, headers={"Location": "/accounts/login/"})
        else:
            route.fulfill(status=int(self.failure), body="<p>Something else</p>")

    def stop(self):
        self.failing = False


@pytest.mark.parametrize("failure", ["404", "500", "403", "login page", "network", "no answer"])
def test_an_answer_the_server_did_not_save_stays_unsaved_and_is_sent_again(
    page, student, quiz, make_assignment, failure
):
    page.clock.install()  # "no answer" fast-forwards the page's 15 s wait
    start_quiz(page, make_assignment, quiz)
    saves = FailingSaves(page, failure)
    status = page.locator("#save-status")

    page.get_by_label("NASA").check()
    if failure == "no answer":
        expect(status).to_contain_text("Saving…")
        page.clock.fast_forward(16_000)
    expect(status).to_contain_text("Not saved yet")
    expect(page.get_by_label("NASA")).to_be_checked()
    assert stored_answers() == {}

    saves.stop()
    expect(status).to_contain_text("Answer saved", timeout=15_000)
    assert stored_answers() == {1: "NASA"}
    assert saves.revisions[0] == "1" and set(saves.revisions) == {"1"}  # the same change, again


def test_changes_made_while_a_save_is_held_all_reach_the_database_the_last_winning(
    page, student, quiz, make_assignment
):
    start_quiz(page, make_assignment, quiz)
    held, revisions = [], []

    def hold_the_first(route):
        if route.request.method != "POST":
            route.continue_()
            return
        revisions.append(route.request.headers.get("x-answer-revision"))
        if len(revisions) == 1:
            held.append(route)  # answered below, 4 s later
        else:
            route.continue_()

    page.route(QUESTION_URLS, hold_the_first)
    page.get_by_label("NASA").check()
    page.get_by_label("CNSA").check()
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Question 2 of 2").first).to_be_visible()
    assert revisions == ["1"]  # the second change waits for the first

    page.wait_for_timeout(4000)
    held[0].continue_()
    wait_for_stored(page, {1: "CNSA"})
    assert revisions == ["1", "2"]
    expect(page.locator("#nav-1")).to_contain_text("Question 1, answered")
    page.get_by_role("link", name="Previous").click()
    expect(page.get_by_label("CNSA")).to_be_checked()


def test_an_unsaved_answer_is_kept_across_questions_and_a_reload(
    page, student, quiz, make_assignment
):
    start_quiz(page, make_assignment, quiz)
    saves = FailingSaves(page, "500")
    page.get_by_label("NASA").check()
    expect(page.locator("#save-status")).to_contain_text("Not saved yet")

    page.get_by_role("link", name="Next").click()
    expect(page.locator("#save-status")).to_contain_text(
        "Your answer to question 1 is not saved yet"
    )
    page.get_by_role("link", name="Previous").click()
    expect(page.get_by_label("NASA")).to_be_checked()  # the server still has nothing

    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?": yes
    page.reload()
    expect(page.get_by_label("NASA")).to_be_checked()
    expect(page.locator("#save-status")).to_contain_text("Not saved yet")
    saves.stop()
    expect(page.locator("#save-status")).to_contain_text("Answer saved", timeout=15_000)
    assert stored_answers() == {1: "NASA"}


def test_answers_waiting_to_be_saved_are_saved_before_submitting(
    page, student, quiz, make_assignment
):
    start_quiz(page, make_assignment, quiz)
    saves = FailingSaves(page, "no answer")
    page.get_by_label("CNSA").check()
    expect(page.locator("#save-status")).to_contain_text("Saving…")
    saves.failure = "500"  # for the requests after this one, which never gets an answer
    page.on("dialog", lambda dialog: dialog.accept())
    # Straight to the summary, the save still unanswered: that request is abandoned, and the
    # summary sends the answer again.
    page.get_by_role("link", name="Review all answers and submit").click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    status = page.locator("#save-status")
    expect(status).to_contain_text("Your answer to question 1 is not saved yet")
    page.get_by_role("button", name="Submit my answers").click()  # held until it is saved
    page.wait_for_timeout(500)
    assert not Attempt.objects.get().is_submitted

    saves.stop()
    expect(page.get_by_text("You scored 1 out of 2.")).to_be_visible(timeout=15_000)
    assert stored_answers() == {1: "CNSA"}


def test_a_student_signed_out_mid_quiz_signs_in_again_and_sees_the_answer_saved(
    page, student, quiz, make_assignment
):
    start_quiz(page, make_assignment, quiz)
    question_url = page.url
    sign_out_in_another_tab(page)

    page.get_by_label("CNSA").check()
    status = page.locator("#save-status")
    expect(status).to_contain_text("You were signed out.")
    expect(page.get_by_label("CNSA")).to_be_checked()
    assert stored_answers() == {}
    assert_accessible(page)

    page.on("dialog", lambda dialog: dialog.accept())
    status.get_by_role("link", name="Sign in again to save your answers").click()
    page.get_by_label("Username").fill("student")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(question_url)
    expect(page.get_by_label("CNSA")).to_be_checked()
    expect(status).to_contain_text("Answer saved")
    assert stored_answers() == {1: "CNSA"}


def test_without_javascript_an_answer_posted_while_signed_out_is_saved_after_signing_in(
    page_without_js, student, quiz, make_assignment
):
    page = page_without_js
    start_quiz(page, make_assignment, quiz)
    sign_out_in_another_tab(page)

    page.get_by_label("CNSA").check()
    page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_text("your answer is not saved yet. Sign in to save it.")).to_be_visible()
    assert stored_answers() == {}
    page.get_by_label("Username").fill("student")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Question 2 of 2").first).to_be_visible()  # as "Save and next" does
    expect(page.locator("#nav-1")).to_contain_text("Question 1, answered")
    assert stored_answers() == {1: "CNSA"}


def test_a_checked_answer_or_a_move_the_server_did_not_take_says_so_and_keeps_the_choice(
    page, student, quiz, make_assignment
):
    start_quiz(page, make_assignment, quiz, feedback_mode="immediate")
    saves = FailingSaves(page, "503")
    page.get_by_label("NASA").check()
    page.get_by_role("button", name="Check answer").click()
    status = page.locator("#save-status")
    expect(status).to_contain_text("The server could not do that just now, so nothing changed.")
    expect(page.get_by_label("NASA")).to_be_checked()
    expect(page.get_by_text("Not quite.")).to_have_count(0)

    page.route("**/questions/2/", lambda route: route.fulfill(status=503, body="down"))
    page.get_by_role("link", name="Next").click()
    expect(status).to_contain_text("The server could not do that just now")
    expect(page.get_by_text("Question 1 of 2").first).to_be_visible()
    page.unroute("**/questions/2/")

    saves.stop()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".feedback")).to_contain_text("Not quite.")
    assert Attempt.objects.get().responses.get().points == 0


def test_an_embedded_answer_that_was_not_sent_is_never_shown_as_checked(page, practice_lesson):
    page.goto("/embed/lessons/making-waves/")
    page.get_by_role("button", name="Start the practice quiz").click()
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    page.route("**/embed/lessons/*/answer/", lambda route: route.fulfill(status=500, body="x"))
    page.get_by_label("CNSA").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#request-error")).to_contain_text("nothing was saved")
    expect(page.get_by_label("CNSA")).to_be_checked()
    expect(page.locator(".feedback")).to_have_count(0)

    page.unroute("**/embed/lessons/*/answer/")
    page.context.set_offline(True)
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#request-error")).to_contain_text("No connection: nothing was sent")
    page.context.set_offline(False)
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator(".feedback")).to_contain_text("Correct.")
