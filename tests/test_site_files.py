"""What a crawler or a browser asks for besides the pages: robots.txt, /favicon.ico, and
each student page's description (the audit's three findings)."""

import re
from urllib.robotparser import RobotFileParser

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from classrooms.factories import ClassroomFactory, EnrollmentFactory

pytestmark = pytest.mark.django_db


def test_robots_txt_lets_crawlers_read_lessons_and_nothing_private(client, practice_lesson):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = RobotFileParser()
    robots.parse(response.text.splitlines())
    quiz = practice_lesson.quizzes.get()
    for public in ["/", practice_lesson.get_absolute_url(), f"/quizzes/{quiz.slug}/"]:
        assert robots.can_fetch("AnyBot", public), public
    for private in [
        "/admin/",
        "/admin/classrooms/classroom/1/gradebook/",
        "/attempts/00000000-0000-4000-8000-000000000000/results/",
        "/accounts/login/",
        "/accounts/signup/",
        "/dashboard/",
        "/join/",
        f"/embed/lessons/{practice_lesson.slug}/",
    ]:
        assert not robots.can_fetch("AnyBot", private), private


def test_favicon_ico_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    assert finders.find("favicon.svg")


def test_the_embed_page_names_the_icon_itself(client, practice_lesson):
    page = client.get(f"/embed/lessons/{practice_lesson.slug}/").text
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in page


def description(page: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)">', page).group(1)


def test_every_student_page_describes_itself(client, student, practice_lesson):
    quiz = practice_lesson.quizzes.get()
    practice_lesson.summary = 'Who said "waves" & why.'
    practice_lesson.save()
    lesson_page = client.get(practice_lesson.get_absolute_url()).text
    assert description(lesson_page) == "Who said &quot;waves&quot; &amp; why."
    assert description(client.get(f"/quizzes/{quiz.slug}/").text) == quiz.title
    client.force_login(student)
    EnrollmentFactory(classroom=ClassroomFactory(), student=student)
    for url in ["/", "/dashboard/", "/join/", "/attempts/", "/accounts/signup/"]:
        assert len(description(client.get(url).text)) > 50, url
