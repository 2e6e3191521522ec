"""A student opens a quiz from an LMS's course page, on another site, in Chromium with
third-party cookies blocked, and their grade reaches the LMS.

The tool runs at localhost (pytest-django's live server); the LMS (tests/lti_platform.py)
at 127.0.0.1, another site, so the tool's frame is a third-party context. The browser says
the tool is behind HTTPS (X-Forwarded-Proto), as in production: the login's state cookie is
then SameSite=None; Secure, which Chromium keeps for localhost.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lti.views import tool_key
from quizzes.models import Attempt
from tests.browser.conftest import assert_accessible
from tests.browser.test_embed import (
    chromium_with_scrollbars,  # noqa: F401
    context,  # noqa: F401 (its fixture, used here)
)
from tests.lti_platform import Platform

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def platform(live_server, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]  # the pages' own origin is http
    lms = Platform(tool=live_server.url)
    lms.register_in_tool()
    lms.trust_tool({"keys": [tool_key().as_jwk()]})
    yield lms
    lms.close()


def test_a_student_takes_an_lms_activity_with_third_party_cookies_blocked(
    context,  # noqa: F811
    platform,
    quiz,
    run_tasks,
):
    platform.activity["custom"] = {"quiz": quiz.slug}
    context.set_extra_http_headers({"X-Forwarded-Proto": "https"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{platform.url}/course")
    frame = page.frame_locator("iframe[title='Wolf Amendment quiz']")

    # The frame keeps no cookie, so the login says why and offers a tab of its own.
    new_tab = frame.get_by_role("link", name="Open the activity in a new tab")
    expect(new_tab).to_be_visible()
    expect(frame.get_by_role("link", name="Continue")).to_be_hidden()
    cookie = "probe=1; SameSite=None; Secure; Path=/"
    assert page.frames[1].evaluate(f"document.cookie = '{cookie}'; document.cookie") == ""
    assert_accessible(page.frames[1])
    with context.expect_page() as opened:
        new_tab.click()
    tab = opened.value
    tab.set_default_timeout(10_000)

    # There: the LMS's launch, then the quiz, signed in as the LMS's student.
    expect(tab.get_by_text("Question 1 of 2").first).to_be_visible()
    assert_accessible(tab)
    # Named as the LMS names them, not by the account's made-up username.
    expect(tab.get_by_role("button", name="Log out Student s-1")).to_be_visible()
    tab.get_by_label("CNSA").check()
    expect(tab.locator("#save-status")).to_contain_text("Answer saved")
    tab.get_by_role("link", name="Next").click()
    expect(tab.get_by_text("Question 2 of 2").first).to_be_visible()
    tab.get_by_label("2011").check()
    expect(tab.locator("#save-status")).to_contain_text("Answer saved")
    tab.get_by_role("link", name="Review all answers and submit").click()
    tab.get_by_role("button", name="Submit").click()
    expect(tab.get_by_role("heading", name="Your results")).to_be_visible()

    attempt = Attempt.objects.get()
    assert attempt.user.lti_users.get().sub == "s-1" and attempt.score == 2
    run_tasks()
    (score,) = platform.scores
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("s-1", 2.0, 2.0)


def open_with_platform_storage(browser, platform, quiz):
    """In the browser (a context), the course page of an LMS that keeps its tools' values,
    with its activity (the quiz) open in its frame: the page and the frame."""
    platform.activity["custom"] = {"quiz": quiz.slug}
    platform.storage_target = "_parent"  # the course page keeps values for its tools
    browser.set_extra_http_headers({"X-Forwarded-Proto": "https"})
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{platform.url}/course")
    frame = page.frame_locator("iframe[title='Wolf Amendment quiz']")
    # The launch takes five pages: allow for a slow machine.
    expect(frame.get_by_text("Question 1 of 2").first).to_be_visible(timeout=15_000)
    return page, frame


def test_with_the_lms_storage_a_student_takes_the_quiz_inside_the_frame(
    context,  # noqa: F811
    live_server,
    platform,
    quiz,
    run_tasks,
):
    page, frame = open_with_platform_storage(context, platform, quiz)
    # No cookie in the frame: the login's state went to the LMS's storage and back.
    ((key, state),) = page.evaluate("Object.entries(kept)")  # the course page's storage
    assert key == f"{live_server.url} state_{state}" and len(state) > 20
    assert [c for c in context.cookies() if c["domain"] == "localhost"] == []
    expect(frame.get_by_text("Signed in from your course as Student s-1.")).to_be_visible()
    assert_accessible(page.frames[1])

    # A page whose token no longer holds (too old): the answer is refused, not lost from
    # the screen, and opening the activity again goes on where the student was.
    frame.locator("[data-panel]").evaluate(
        """panel => {
            panel.querySelectorAll("[name=embed_token]").forEach(field => field.value += "x");
            panel.setAttribute("hx-headers", panel.getAttribute("hx-headers").replace('"}', 'x"}'));
        }"""
    )
    frame.get_by_label("CNSA").check()
    frame.get_by_role("button", name="Save answer").click()
    expect(frame.get_by_role("alert")).to_contain_text("too old or was changed")
    expect(frame.get_by_label("CNSA")).to_be_checked()
    page.reload()
    frame.get_by_label("CNSA").check()
    frame.get_by_role("button", name="Next").click()
    expect(frame.get_by_text("Question 2 of 2").first).to_be_visible()
    frame.get_by_role("button", name="Previous").click()
    expect(frame.get_by_label("CNSA")).to_be_checked()  # saved on the way
    frame.get_by_role("button", name="Next").click()
    frame.get_by_label("2011").check()
    frame.get_by_role("button", name="Finish and submit…").click()
    expect(frame.locator("#attempt-panel")).to_contain_text("2 of 2 answered.")
    frame.get_by_role("button", name="Submit for grading").click()
    expect(frame.locator(".score")).to_have_text("You scored 2 out of 2.")
    assert_accessible(page.frames[1])
    # The LMS fitted its frame to the results, longer than the frame it began with.
    expect(page.locator("iframe")).not_to_have_attribute("height", "600")
    shown, needed = frame.locator("html").evaluate("html => [innerHeight, html.scrollHeight]")
    assert shown >= needed

    run_tasks()
    (score,) = platform.scores
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("s-1", 2.0, 2.0)


def test_in_the_frame_a_timed_attempt_counts_down_and_ends_in_its_results(
    context,  # noqa: F811
    platform,
    quiz,
):
    _page, frame = open_with_platform_storage(context, platform, quiz)
    Attempt.objects.update(deadline=timezone.now() + timedelta(seconds=5))
    frame.get_by_label("CNSA").check()
    frame.get_by_role("button", name="Save answer").click()
    expect(frame.get_by_role("timer")).to_have_text(re.compile(r"^0:0[0-5]$"))
    # Nothing pressed: at the deadline the frame shows the attempt as the server closed it.
    expect(frame.locator(".score")).to_have_text("You scored 1 out of 2.", timeout=15_000)
