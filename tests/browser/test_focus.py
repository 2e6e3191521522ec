"""A focus ring a keyboard user sees on every page: at least 2 px, 3:1 against whatever
surrounds the focused element, on the student pages (light, and the dark header) and in
the admin (light and dark mode)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import tab_to
from tests.browser.focus import assert_clear_focus_ring
from tests.browser.school import ensure_teachers_group, log_in_to_admin

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def teachers_group(transactional_db):
    ensure_teachers_group()


def test_student_pages_show_a_clear_focus_ring(page, practice_lesson):
    page.goto("/")
    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Lessons"))
    assert_clear_focus_ring(page)  # on the dark header
    tab_to(page, page.get_by_role("main").get_by_role("link", name=practice_lesson.title))
    assert_clear_focus_ring(page)  # on the light page
    with page.expect_navigation():
        page.keyboard.press("Enter")
    quiz = practice_lesson.quizzes.get()
    tab_to(page, page.get_by_role("link", name=quiz.title))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Start the quiz"))
    assert_clear_focus_ring(page)  # a filled button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Tab enters a group of radios at its first (the choices are in an order of their own).
    tab_to(page, page.get_by_role("radio").first)
    assert_clear_focus_ring(page)
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Check answer"))
    page.keyboard.press("Enter")
    expect(page.locator(".feedback")).to_be_focused()
    assert_clear_focus_ring(page)  # the feedback, focused by the page's script


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_admin_pages_show_a_clear_focus_ring(page, teacher, scheme):
    page.emulate_media(color_scheme=scheme)
    log_in_to_admin(page, teacher.username)
    tab_to(page, page.get_by_role("link", name="Classes", exact=True).first)
    assert_clear_focus_ring(page)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Add class"))
    assert_clear_focus_ring(page)  # a filled object-tools button
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("textbox", name="Name"))
    assert_clear_focus_ring(page)
    tab_to(page, page.get_by_role("button", name="Save", exact=True))
    assert_clear_focus_ring(page)
