"""The teacher's workspace: lists that show what a teacher looks for, a home page that
links straight to the work, and marking that starts empty and returns where it came from."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone
from django.utils.http import urlencode

from accounts.factories import TeacherFactory, UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory, EnrollmentFactory
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Question, Response

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    """What a reader sees of some HTML: no tags, one space between words."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def row_with(page: str, marker: str) -> str:
    """The text of the table row that contains `marker`."""
    for row in re.findall(r"<tr.*?</tr>", page, re.S):
        if marker in text_of(row):
            return text_of(row)
    raise AssertionError(f"no row shows {marker!r}")


@pytest.fixture
def orion(teacher, take_quiz):
    """Orion Group: three students; Ada and Mae submitted the Wolf quiz (a choice and a
    4-point essay); Ada's essay waits for marking, Mae's was marked 3."""
    quiz = QuizFactory(title="Wolf quiz")
    single = QuestionFactory(quiz=quiz, position=1, prompt="Which agency is China's?")
    essay = QuestionFactory(
        quiz=quiz,
        position=2,
        kind=Question.Kind.ESSAY,
        points=Decimal(4),
        prompt="Why did dialogue stop?",
        choices=[],
    )
    classroom = ClassroomFactory(name="Orion Group", teachers=[teacher])
    students = [
        UserFactory(username=name, first_name=first, last_name="Orion")
        for name, first in (("ada", "Ada"), ("mae", "Mae"), ("kai", "Kai"))
    ]
    for student in students:
        EnrollmentFactory(classroom=classroom, student=student)
    assignment = AssignmentFactory(
        classroom=classroom,
        quiz=quiz,
        due_at=timezone.now() + timedelta(days=3),
        time_limit=timedelta(minutes=20),
    )
    right = single.choices.get(is_correct=True).pk
    attempts = [
        take_quiz(assignment, student, {single: right, essay: f"{student.first_name}'s essay"})
        for student in students[:2]
    ]
    Response.objects.filter(attempt=attempts[1], question=essay).update(points=Decimal(3))
    attempts[1].update_score()
    attempts[1].save()
    return {"classroom": classroom, "assignment": assignment, "attempts": attempts}


# Lists


def test_the_assignment_list_shows_due_date_time_limit_submitted_and_to_mark(teacher_client, orion):
    page = teacher_client.get("/admin/classrooms/assignment/").text
    row = row_with(page, "Wolf quiz")
    due = timezone.localtime(orion["assignment"].due_at)
    assert f"{due:%-d %b}, {due:%H:%M}" in row
    assert "20 min" in row
    assert "2 of 3" in row  # students who submitted, of the class
    queue = f'href="/admin/quizzes/response/queue/?assignment={orion["assignment"].pk}">1</a>'
    assert queue in page
    assert "Statistics" in row


def test_the_attempt_list_shows_each_score_and_what_waits_for_marking(teacher_client, orion):
    page = teacher_client.get("/admin/quizzes/attempt/").text
    assert "1 of 5 (20 %) some answers wait for marking" in row_with(page, "Ada Orion")
    assert "4 of 5 (80 %)" in row_with(page, "Mae Orion")
    assert "icon-no.svg" not in page and "icon-yes.svg" not in page  # words, not ✓/✗


def test_the_response_list_shows_points_and_status(teacher_client, orion):
    page = teacher_client.get("/admin/quizzes/response/").text
    ada_essay = row_with(page, "Ada Orion Why did dialogue stop?")
    assert "— / 4" in ada_essay and "waits for a teacher" in ada_essay and "Mark" in ada_essay
    assert "3 / 4" in row_with(page, "Mae Orion Why did dialogue stop?")


def test_marking_from_the_response_list_comes_back_to_the_list_as_filtered(teacher_client, orion):
    waiting = teacher_client.get("/admin/quizzes/response/?waiting=yes")
    link = re.search(r'href="(/admin/quizzes/response/\d+/change/[^"]*)"', waiting.text)[1]
    mark_page = teacher_client.get(unescape(link), follow=True)
    saved = teacher_client.post(
        mark_page.redirect_chain[-1][0], {"points": "2", "_back": "1"}, follow=True
    )
    assert saved.redirect_chain[-1][0] == "/admin/quizzes/response/?waiting=yes"
    assert "0 responses" in saved.text  # the one waiting is marked now


# The home page


def test_the_home_page_links_to_my_classes_gradebooks_but_not_another_teachers(
    teacher_client, orion
):
    other = ClassroomFactory(name="Lyra Group", teachers=[TeacherFactory()])
    page = teacher_client.get("/admin/").text
    classroom = orion["classroom"]
    assert f'href="/admin/classrooms/classroom/{classroom.pk}/gradebook/"' in page
    assert "Orion Group assignments 3 1 Gradebook" in row_with(page, "Orion Group")
    assert "Lyra Group" not in page
    assert f"/admin/classrooms/classroom/{other.pk}/" not in page


def test_the_home_page_says_how_much_waits_and_links_to_the_marking_queue(teacher_client, orion):
    page = teacher_client.get("/admin/").text
    assert '<a href="/admin/quizzes/response/queue/"><strong>1 answer to mark</strong></a>' in page
    assert f'href="/admin/quizzes/response/queue/?classroom={orion["classroom"].pk}"' in page


def test_the_home_page_counts_what_was_handed_in_lately(teacher_client, orion):
    page = text_of(teacher_client.get("/admin/").text)
    assert "Handed in over the last 7 days" in page
    assert "Wolf quiz · Orion Group: 2 attempts" in page


def test_a_superusers_home_page_lists_every_class(client, orion):
    ClassroomFactory(name="Lyra Group", teachers=[TeacherFactory()])
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get("/admin/").text
    assert "Orion Group" in page and "Lyra Group" in page


def test_a_teacher_without_classes_is_told_how_to_add_one(client):
    client.force_login(TeacherFactory())
    page = text_of(client.get("/admin/").text)
    assert "Nothing to mark" in page
    assert "You have no classes yet. Add a class" in page


# Marking


def essay_of(orion, name):
    return Response.objects.get(attempt__user__username=name, question__kind=Question.Kind.ESSAY)


def test_the_points_box_starts_empty_with_the_score_now_beside_it(teacher_client, orion):
    marked = essay_of(orion, "mae")
    page = teacher_client.get(f"/admin/quizzes/response/{marked.pk}/mark/").text
    points = re.search(r"<input[^>]*name=\"points\"[^>]*>", page)[0]
    assert "value=" not in points
    assert "autofocus" in points
    assert "Score now: 3 of 4" in page


def test_typing_1_in_the_points_box_saves_1(teacher_client, orion):
    waiting = essay_of(orion, "ada")
    teacher_client.post(f"/admin/quizzes/response/{waiting.pk}/mark/", {"points": "1"})
    waiting.refresh_from_db()
    assert waiting.points == Decimal("1.00")


def test_an_empty_points_box_keeps_the_score_and_saves_the_comment(teacher_client, orion):
    marked = essay_of(orion, "mae")
    teacher_client.post(
        f"/admin/quizzes/response/{marked.pk}/mark/", {"points": "", "comment": "Name the year."}
    )
    marked.refresh_from_db()
    assert (marked.points, marked.comment) == (Decimal(3), "Name the year.")
    assert not marked.score_changes.exists()


def test_after_a_missing_reason_the_reason_box_has_the_focus(teacher_client, orion):
    marked = essay_of(orion, "mae")
    page = teacher_client.post(
        f"/admin/quizzes/response/{marked.pk}/mark/", {"points": "2", "_save": "1"}
    ).text
    assert "Say why the score changes from 3." in page
    focused = re.findall(r"<(?:input|textarea)[^>]*autofocus[^>]*>", page)
    assert len(focused) == 1 and 'name="reason"' in focused[0]


def test_saving_returns_to_the_attempt_the_teacher_came_from(teacher_client, orion):
    attempt = orion["attempts"][1]
    attempt_url = f"/admin/quizzes/attempt/{attempt.pk}/change/"
    attempt_page = teacher_client.get(attempt_url).text
    mark_url = re.search(r'href="(/admin/quizzes/response/\d+/mark/\?next=[^"]*)"', attempt_page)
    page = teacher_client.get(unescape(mark_url[1])).text
    assert 'value="Save and return to the attempt"' in page
    saved = teacher_client.post(
        unescape(mark_url[1]), {"points": "1", "reason": "Recount", "_back": "1"}, follow=True
    )
    assert saved.redirect_chain[-1][0] == attempt_url
    assert "Saved 1 of 1 points for Mae Orion." in saved.text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/admin/",
        "//evil.example/admin/",
        "/\\evil.example/admin/",
        "http://testserver/admin/",
        "/accounts/login/",
        "javascript:alert(1)",
    ],
)
def test_saving_never_goes_to_a_page_outside_the_admin(teacher_client, orion, target):
    marked = essay_of(orion, "mae")
    url = f"/admin/quizzes/response/{marked.pk}/mark/"
    page = teacher_client.get(url, {"next": target}).text
    assert "Back without saving" not in page
    saved = teacher_client.post(f"{url}?{urlencode({'next': target})}", {"_back": "1"})
    assert saved["Location"] == f"/admin/quizzes/attempt/{marked.attempt_id}/change/"


def test_the_queue_announces_what_was_saved(teacher_client, orion):
    waiting = essay_of(orion, "ada")
    page = teacher_client.post(
        f"/admin/quizzes/response/{waiting.pk}/mark/", {"points": "2", "_next": "1"}, follow=True
    ).text
    status = re.search(r'<div role="status">(.*?)</div>', page, re.S)[1]
    assert "Saved 2 of 4 points for Ada Orion." in status


def test_the_score_history_comes_before_the_answers_on_the_attempt(teacher_client, orion):
    waiting = essay_of(orion, "ada")
    url = f"/admin/quizzes/response/{waiting.pk}/mark/"
    teacher_client.post(url, {"points": "2"})
    teacher_client.post(url, {"points": "3", "reason": "Second reading"})
    page = teacher_client.get(f"/admin/quizzes/attempt/{waiting.attempt_id}/change/").text
    history, answers = page.index('id="score-changes"'), page.index('id="answers"')
    assert history < page.index("Second reading") < page.index("Marked by hand") < answers
    assert page.index("Score:") < history
