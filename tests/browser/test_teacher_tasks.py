"""A teacher's week in the admin with the keyboard alone (Tab, Enter, Space, arrows and
typing): import a roster, set an assignment with an override, mark essays, override a
score, read the gradebook and statistics, fix a key and regrade, find the embed code.
Each task ends in the state the teacher wanted. Pages are found as a screen reader
announces them (roles and names), not by their markup."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from classrooms.models import Assignment, Enrollment
from quizzes.marking import waiting_for_teacher
from quizzes.models import Attempt, Question, Response, ScoreChange
from tests.browser.conftest import assert_accessible, tab_to
from tests.browser.school import make_school

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school():
    return make_school()


@pytest.fixture
def admin(page, school):
    """The teacher, logged in to the admin by keyboard."""
    page.goto("/admin/login/")
    tab_to(page, page.get_by_role("textbox", name="Username"))
    page.keyboard.type("teacher")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def skip_to_content(page):
    """The skip link, first on every admin page: Tab, Enter, and the next Tab is in the page's
    own content rather than among the header's and the sidebar's links."""
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")


def follow(page, name, *, nth=0, skip=True):
    """Tab to the (nth) link named `name` (a string matches whole, a pattern anywhere) and
    press Enter."""
    if skip:
        skip_to_content(page)
    link = page.get_by_role("main").get_by_role("link", name=name, exact=isinstance(name, str))
    tab_to(page, link.nth(nth), presses=150)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def press_button(page, name, presses=150):
    tab_to(page, page.get_by_role("button", name=name, exact=True), presses=presses)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def pick(page, label, typed):
    """Choose in an autocomplete picker: open it, type, move to the match, take it."""
    tab_to(page, page.get_by_role("combobox", name=re.compile(f"^{label}")))
    page.keyboard.press("Enter")
    page.keyboard.type(typed)
    wanted = page.get_by_role("option", name=re.compile(re.escape(typed)))
    # Wait for the results of the whole text (not those for its first letters); a search
    # matches descriptions too, so the match need not come first: arrow down to it.
    expect(wanted).to_have_count(1)
    highlighted = page.locator(".select2-results__option--highlighted")
    for _ in range(10):
        if re.search(re.escape(typed), highlighted.inner_text()):
            break
        page.keyboard.press("ArrowDown")
    expect(highlighted).to_have_text(re.compile(re.escape(typed)))
    page.keyboard.press("Enter")


def test_import_a_roster(admin, school, tmp_path, run_tasks):
    class_list = tmp_path / "class.csv"
    class_list.write_text(
        "name,email\nKatherine Johnson,kj@example.org\nSally Ride,sally@example.org\n"
    )
    # Playwright asks the browser to hand it file choosers only once something listens for
    # them, without waiting for the answer: listen early, or a chooser may open unseen.
    admin.on("filechooser", lambda _chooser: None)
    follow(admin, "Classes")
    follow(admin, "Year 10 Physics")
    follow(admin, "Import students from a class list")
    tab_to(admin, admin.get_by_label("CSV file"))
    with admin.expect_file_chooser() as chooser:
        admin.keyboard.press("Space")
    chooser.value.set_files(class_list)
    press_button(admin, "Import")
    expect(admin.get_by_text("Creating accounts: 0 of 2.")).to_be_visible()
    run_tasks()  # the worker; the page sees it is done and shows the passwords

    expect(admin.get_by_text("2 students are now in the class")).to_be_visible()
    expect(admin.get_by_role("cell", name="sally@example.org")).to_be_visible()
    assert_accessible(admin)
    imported = Enrollment.objects.filter(
        classroom=school["classroom"], student__email__in=["kj@example.org", "sally@example.org"]
    )
    assert imported.count() == 2


def test_set_an_assignment_with_an_override(admin, school):
    follow(admin, "Assignments")
    follow(admin, "Add assignment")
    pick(admin, "Class", "Year 10")
    pick(admin, "Quiz", "China's space partners")
    tab_to(admin, admin.get_by_role("textbox", name="Time limit"))
    admin.keyboard.type("20")
    press_button(admin, "Save and continue editing")
    expect(admin.get_by_text("was added successfully")).to_be_visible()

    tab_to(admin, admin.get_by_role("button", name=re.compile("Add another override", re.I)))
    admin.keyboard.press("Enter")
    tab_to(admin, admin.get_by_role("combobox", name=re.compile("^Student")).last)
    admin.keyboard.type("Yang")
    tab_to(admin, admin.get_by_role("textbox", name=re.compile("^Extra time")).last)
    admin.keyboard.type("15 min")
    press_button(admin, "Save")

    expect(admin.get_by_text("was changed successfully")).to_be_visible()
    assignment = Assignment.objects.get(quiz__title="China's space partners and projects")
    assert assignment.classroom == school["classroom"]
    assert assignment.time_limit == timedelta(minutes=20)
    override = assignment.overrides.get()
    assert (override.student.username, override.extra_time) == ("yang", timedelta(minutes=15))


def test_mark_the_essays(admin, school):
    waiting = Response.objects.filter(waiting_for_teacher())
    count = waiting.count()
    assert count >= 3  # an essay from each student at least
    follow(admin, "Responses")
    follow(admin, "Open the marking queue")
    for _ in range(count):
        points = admin.get_by_role("spinbutton").first
        if not points.evaluate("box => box === document.activeElement"):
            tab_to(admin, points)
        admin.keyboard.type("1")
        with admin.expect_navigation():
            admin.keyboard.press("Enter")  # saves, and opens the next answer

    assert not waiting.exists()
    assert not Attempt.objects.filter(is_provisional=True).exists()


def test_override_a_score(admin, school):
    ada_attempt = Attempt.objects.get(user__username="ada")
    scored = ada_attempt.responses.filter(points__gt=0).first()
    follow(admin, "Attempts")
    follow(admin, re.compile(r"\bada\b|Lovelace"))
    tab_to(admin, admin.get_by_role("link", name=re.compile("change score", re.I)).first)
    with admin.expect_navigation():
        admin.keyboard.press("Enter")
    points = admin.get_by_role("spinbutton").first
    tab_to(admin, points)
    admin.keyboard.press("Control+A")
    admin.keyboard.type("0")
    tab_to(admin, admin.get_by_role("textbox", name=re.compile("reason|why", re.I)))
    admin.keyboard.type("The key had the wrong agency.")
    with admin.expect_navigation():
        admin.keyboard.press("Enter")

    change = ScoreChange.objects.get(response=scored)
    assert (change.old_points, change.new_points) == (scored.points, 0)
    assert change.reason == "The key had the wrong agency."
    score_before = ada_attempt.score
    ada_attempt.refresh_from_db()
    assert ada_attempt.score == score_before - scored.points


def test_read_the_gradebook_and_the_statistics(admin, school):
    ada = Attempt.objects.get(user__username="ada")
    follow(admin, "Classes")
    follow(admin, "Gradebook")
    row = admin.get_by_role("row", name=re.compile("Ada Lovelace"))
    expect(row).to_contain_text(f"{ada.score.normalize():f} / {ada.max_score.normalize():f}")
    assert_accessible(admin)
    follow(admin, "statistics")
    expect(admin.get_by_role("heading", name=re.compile("^Statistics"))).to_be_visible()
    expect(admin.get_by_text("3 submitted attempts by 3 students.")).to_be_visible()
    expect(admin.get_by_role("img", name=re.compile("How many attempts scored"))).to_be_visible()


def test_fix_a_key_and_move_the_class_to_the_new_version(admin, school, run_tasks):
    quiz = school["assignment"].quiz
    question = quiz.questions.filter(kind=Question.Kind.SINGLE).order_by("position").first()
    choices = list(question.choices.order_by("position"))
    was_right = next(c for c in choices if c.is_correct)
    now_right = next(c for c in choices if not c.is_correct)  # what Mae and Yang picked
    follow(admin, "Questions")
    tab_to(admin, admin.get_by_role("textbox", name="Search"))
    admin.keyboard.type(question.key)
    with admin.expect_navigation():
        admin.keyboard.press("Enter")
    follow(admin, str(question).strip())
    correct = admin.get_by_role("checkbox", name=re.compile("^correct", re.I))
    tab_to(admin, correct.nth(choices.index(was_right)), presses=200)
    admin.keyboard.press("Space")
    tab_to(admin, correct.nth(choices.index(now_right)), presses=200)
    admin.keyboard.press("Space")
    press_button(admin, "Save and continue editing", presses=300)
    expect(admin.get_by_text(re.compile("Saved as version 2"))).to_be_visible()
    # The message names the teacher's class, which keeps version 1 until moved on.
    follow(admin, school["assignment"].classroom.name, skip=False)
    expect(admin.get_by_text("3 scores change: 2 up, 1 down.")).to_be_visible()
    press_button(admin, "Move this assignment to the current versions")
    expect(admin.get_by_text("Waiting for the background worker to start it.")).to_be_visible()
    run_tasks()  # the worker; the polled page then says what the move did
    expect(admin.get_by_text(re.compile("3 scores changed"))).to_be_visible()
    assert_accessible(admin)

    answers = Response.objects.filter(question__key=question.key, question__is_current=True)
    assert answers.get(attempt__user__username="ada").points == 0
    assert answers.get(attempt__user__username="mae").points == question.points
    assert answers.get(attempt__user__username="yang").points == question.points


def test_find_the_embed_code(admin, school):
    from lessons.models import Lesson

    lesson = Lesson.objects.get()
    follow(admin, "Lessons", nth=1)  # the list of lessons, after the app's own link
    follow(admin, lesson.title)
    code = admin.get_by_role("textbox", name="Embed code")
    tab_to(admin, code, presses=200)
    expect(code).to_be_focused()
    assert f"/embed/lessons/{lesson.slug}/" in code.input_value()
    assert code.input_value().startswith("<iframe")
