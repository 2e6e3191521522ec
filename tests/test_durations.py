"""Time limits and extra time are typed as teachers say them; a bare number is minutes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from classrooms import durations
from classrooms.factories import AssignmentFactory, ClassroomFactory


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("20", 20),
        ("20 min", 20),
        ("20min", 20),
        ("45 minutes", 45),
        ("1 minute", 1),
        ("90 minutes", 90),
        ("1 h", 60),
        ("1 hour", 60),
        ("2 hours", 120),
        ("1 h 30", 90),
        ("1h30", 90),
        ("1 h 30 min", 90),
        ("1 hour and 15 minutes", 75),
        ("1.5 h", 90),
        ("1,5 h", 90),
        ("1:30", 90),
        ("0:10:00", 10),
        (" 25 MIN ", 25),
    ],
)
def test_a_duration_is_read_as_people_write_it(typed, minutes):
    assert durations.parse(typed) == timedelta(minutes=minutes)


@pytest.mark.parametrize("typed", ["twenty", "20 s", "20 days", "1 h 30 h x", "-5", "9" * 30])
def test_anything_else_is_refused(typed):
    with pytest.raises(ValueError):
        durations.parse(typed)


def test_empty_means_no_duration():
    assert durations.parse("  ") is None


@pytest.mark.parametrize(
    ("minutes", "words"), [(20, "20 min"), (60, "1 h"), (90, "1 h 30 min"), (125, "2 h 5 min")]
)
def test_a_duration_is_shown_as_it_is_typed(minutes, words):
    assert durations.in_words(timedelta(minutes=minutes)) == words


@given(st.integers(min_value=1, max_value=7 * 24 * 60))
def test_what_is_shown_reads_back_as_the_same_duration(minutes):
    duration = timedelta(minutes=minutes)
    assert durations.parse(durations.in_words(duration)) == duration


@pytest.fixture
def assignment(teacher):
    classroom = ClassroomFactory(teachers=[teacher])
    return AssignmentFactory(classroom=classroom)


def assignment_form(assignment, time_limit):
    return {
        "classroom": assignment.classroom_id,
        "quiz": assignment.quiz_id,
        "time_limit": time_limit,
        "attempts_allowed": "1",
        "grading_method": "highest",
        "feedback_mode": "deferred",
        "review_shows_answers": "on",
        "review_shows_verdicts": "on",
        "overrides-TOTAL_FORMS": "0",
        "overrides-INITIAL_FORMS": "0",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "minutes"), [("20", 20), ("20 min", 20), ("1 h 30", 90), ("90 minutes", 90)]
)
def test_a_teacher_typing_20_gets_twenty_minutes(teacher_client, assignment, typed, minutes):
    url = f"/admin/classrooms/assignment/{assignment.pk}/change/"
    response = teacher_client.post(url, assignment_form(assignment, typed))

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.time_limit == timedelta(minutes=minutes)
    listed = teacher_client.get("/admin/classrooms/assignment/").text
    assert f">{durations.in_words(timedelta(minutes=minutes))}<" in listed
    again = teacher_client.get(url).text
    assert f'value="{durations.in_words(timedelta(minutes=minutes))}"' in again


@pytest.mark.django_db
def test_a_duration_that_cannot_be_read_is_refused_with_a_hint(teacher_client, assignment):
    url = f"/admin/classrooms/assignment/{assignment.pk}/change/"
    response = teacher_client.post(url, assignment_form(assignment, "twenty"))

    assert response.status_code == 200
    assert "Type a duration such as 20 (minutes), 45 min, 1 h 30" in response.text
    assignment.refresh_from_db()
    assert assignment.time_limit is None


@pytest.mark.django_db
def test_date_fields_name_the_schools_time_zone(teacher_client, assignment, settings):
    settings.TIME_ZONE = "Europe/London"
    with timezone.override("Europe/London"):
        page = teacher_client.get(f"/admin/classrooms/assignment/{assignment.pk}/change/")
    for field in ("opens_at", "due_at"):
        help_text = re.search(rf'id="id_{field}_helptext">(.*?)</div>', page.text, re.S)[1]
        assert "Time zone: Europe/London." in help_text
