"""Every admin page a teacher can reach, found by following the admin's own links from
/admin/ (not a hand list): axe-core finds nothing on any, and none is wider than a phone."""

from collections import deque
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.browser.conftest import AXE_TAGS, tab_to
from tests.browser.school import log_in_to_admin, make_school

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # an iPhone 12 to 15, in CSS pixels


@pytest.fixture
def school():
    return make_school()


def pattern_of(path: str) -> str | None:
    """The URL pattern a path resolves to (its name, or its route when unnamed)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name or match.route


def admin_links(page, origin: str) -> list[str]:
    """The page's links to other pages of the admin (path and query), in document order."""
    found = []
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
        url = urlsplit(href)
        if f"{url.scheme}://{url.netloc}" == origin and url.path.startswith("/admin/"):
            found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def page_kind(path: str) -> str | None:
    """Pages of one kind look alike: one per URL pattern (so one change page per model, one
    filtered list per list...), and the admin's history and delete pages, the same template
    for every model, once each."""
    pattern = pattern_of(urlsplit(path).path)
    if pattern and pattern.endswith(("_history", "_delete")):
        return pattern.rsplit("_", 1)[1]
    return pattern


DOWNLOADS = {"admin:quizzes_quiz_export"}


def walk_admin(page, origin: str, visit) -> list[str]:
    """Breadth first from /admin/, one page of each kind: visit(page, path) on each. Every
    link a teacher is shown must open; returns the paths visited."""
    queue, seen, visited = deque(["/admin/"]), set(), []
    while queue:
        path = queue.popleft()
        kind = page_kind(path)
        if kind in seen or path.endswith(".csv") or kind in DOWNLOADS:  # files, not pages
            continue
        seen.add(kind)
        response = page.goto(path)
        assert response.ok, f"a teacher is shown a link to {path}, which answers {response.status}"
        if not urlsplit(page.url).path.startswith("/admin/"):
            continue  # "View on site" leads to the student pages, checked elsewhere
        visited.append(path)
        visit(page, path)
        queue.extend(admin_links(page, origin))
    return visited


def axe_violations(axe, page, rules=None) -> str | None:
    """axe-core's report of the page's violations (the student pages' rules), or None."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    results = axe.run(page, options=options)
    return results.generate_report() if results.violations_count else None


def test_every_admin_page_a_teacher_reaches_passes_axe_and_fits_a_phone(page, live_server, school):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = {}

    def check(page, path):
        page.set_viewport_size(DESKTOP)
        if report := axe_violations(axe, page):
            problems[path] = report
        # On a phone: nothing wider than the screen, and targets big enough for a finger.
        page.set_viewport_size(PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems[f"{path} at {PHONE['width']} px"] = f"the page is {width} px wide"
        if report := axe_violations(axe, page, rules=["target-size"]):
            problems[f"{path} at {PHONE['width']} px"] = report

    page.goto("/admin/login/")
    check(page, "/admin/login/")
    log_in_to_admin(page)
    visited = walk_admin(page, live_server.url, check)

    assert not problems, "\n\n".join(f"{path}:\n{report}" for path, report in problems.items())
    # The walk reached the pages teachers work in, not only the lists.
    for expected in [
        "classrooms_classroom_change",
        "classrooms_classroom_gradebook",
        "classrooms_classroom_roster",
        "classrooms_classroom_student_add",
        "classrooms_classroom_student_password",
        "classrooms_classroom_student_remove",
        "classrooms_assignment_add",
        "classrooms_assignment_change",
        "classrooms_assignment_statistics",
        "quizzes_response_mark",
        "quizzes_question_change",
        "quizzes_question_regrade",
        "quizzes_quiz_import",
        "quizzes_attempt_change",
        "lessons_lesson_change",
        "background_task_change",
    ]:
        assert f"admin:{expected}" in {pattern_of(urlsplit(p).path) for p in visited}, expected


A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 CSS pixels an inch


def fixed_column_stays(page, region, first_cell) -> bool:
    """Whether the region scrolls sideways from the keyboard while its first column stays."""
    tab_to(page, region)
    assert region.evaluate("box => box.scrollWidth > box.clientWidth"), "nothing to scroll"
    left = first_cell.bounding_box()["x"]
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    # Keyboard scrolling is animated: wait (5 s at most) for it to move, then to rest.
    scrolled = region.evaluate(
        """box => new Promise(done => {
            let last = -1, ticks = 0;
            const timer = setInterval(() => {
                const resting = box.scrollLeft > 0 && box.scrollLeft === last;
                if (resting || ++ticks === 50) { clearInterval(timer); done(box.scrollLeft); }
                last = box.scrollLeft;
            }, 100);
        })"""
    )
    return scrolled > 0 and first_cell.bounding_box()["x"] == left


def test_the_gradebook_and_statistics_work_on_a_phone_and_on_paper(page, school):
    from classrooms.factories import AssignmentFactory
    from quizzes.models import Quiz

    classroom, assignment = school["classroom"], school["assignment"]
    for quiz in Quiz.objects.exclude(assignments__classroom=classroom):
        AssignmentFactory(classroom=classroom, quiz=quiz)  # five assignments in all
    log_in_to_admin(page)
    page.set_viewport_size(PHONE)

    page.goto(f"/admin/classrooms/classroom/{classroom.pk}/gradebook/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    gradebook = page.get_by_role("region", name="Gradebook")
    assert fixed_column_stays(page, gradebook, page.get_by_role("rowheader", name="Ada Lovelace"))

    page.goto(f"/admin/classrooms/assignment/{assignment.pk}/statistics/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    chart = page.get_by_role("img", name="How many attempts scored in each band of 10 %")
    assert chart.bounding_box()["width"] <= PHONE["width"] - 30
    questions = page.get_by_role("region", name="Statistics per question")
    first_question = questions.get_by_role("rowheader").first
    assert fixed_column_stays(page, questions, first_question)

    # On paper: only the page's content, every column of it within the page's width.
    page.emulate_media(media="print")
    page.set_viewport_size(A4)
    for url, table in [
        (f"/admin/classrooms/classroom/{classroom.pk}/gradebook/", "#gradebook"),
        (f"/admin/classrooms/assignment/{assignment.pk}/statistics/", "#question-statistics"),
    ]:
        page.goto(url)
        for chrome in ["#header", "nav.breadcrumbs, ol.breadcrumbs", ".object-tools", "#footer"]:
            assert not page.locator(chrome).first.is_visible(), (url, chrome)
        assert page.evaluate("document.documentElement.scrollWidth") <= A4["width"]
        right_edge = page.locator(f"{table} tr").first.evaluate(
            "row => row.getBoundingClientRect().right"
        )
        assert right_edge <= A4["width"], (url, right_edge)
