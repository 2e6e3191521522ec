from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.factories import UserFactory
from classrooms.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrollmentFactory,
    OverrideFactory,
)
from classrooms.models import Assignment, Override
from quizzes.factories import QuizFactory


@pytest.fixture
def assignment(teacher):
    classroom = ClassroomFactory(teachers=[teacher])
    return AssignmentFactory(classroom=classroom, due_at=timezone.now() + timedelta(days=2))


@pytest.fixture
def zelda(assignment):
    zelda = UserFactory(username="zelda")
    EnrollmentFactory(classroom=assignment.classroom, student=zelda)
    return zelda


def change_form(assignment, **override):
    data = {
        "classroom": assignment.classroom_id,
        "quiz": assignment.quiz_id,
        "due_at_0": timezone.localtime(assignment.due_at).strftime("%Y-%m-%d"),
        "due_at_1": timezone.localtime(assignment.due_at).strftime("%H:%M:%S"),
        "attempts_allowed": "1",
        "grading_method": "highest",
        "feedback_mode": "deferred",
        "review_shows_answers": "on",
        "review_shows_verdicts": "on",
        "overrides-TOTAL_FORMS": "1" if override else "0",
        "overrides-INITIAL_FORMS": "0",
    }
    data.update({f"overrides-0-{name}": value for name, value in override.items()})
    return data


def post(client, assignment, **override):
    return client.post(
        f"/admin/classrooms/assignment/{assignment.pk}/change/",
        change_form(assignment, **override),
    )


def test_an_override_gives_one_student_more_time_and_attempts(teacher_client, assignment, zelda):
    page = post(
        teacher_client,
        assignment,
        student=zelda.pk,
        extra_time="10",
        extra_attempts="1",
        due_at_0="",
        due_at_1="",
    )
    assert page.status_code == 302
    assignment.time_limit = timedelta(minutes=20)
    rules = assignment.rules_for(zelda)
    assert rules.time_limit == timedelta(minutes=30)
    assert rules.attempts_allowed == 2


def test_an_override_with_a_past_due_date_gets_a_message_and_changes_nothing(
    teacher_client, assignment, zelda
):
    yesterday = timezone.localtime() - timedelta(days=1)
    page = post(
        teacher_client,
        assignment,
        student=zelda.pk,
        extra_attempts="0",
        due_at_0=yesterday.strftime("%Y-%m-%d"),
        due_at_1=yesterday.strftime("%H:%M:%S"),
    )
    assert page.status_code == 200
    assert "A later due date must be in the future." in page.text
    assert not Override.objects.exists()


def test_an_override_for_a_student_of_another_class_is_refused(teacher_client, assignment):
    outsider = UserFactory(username="outsider")
    EnrollmentFactory(student=outsider)
    page = post(teacher_client, assignment, student=outsider.pk, extra_attempts="1")
    assert "Select a valid choice" in page.text
    assert not Override.objects.exists()


def test_an_override_that_changes_nothing_or_takes_time_away_is_refused(
    teacher_client, assignment, zelda
):
    page = post(teacher_client, assignment, student=zelda.pk, extra_attempts="0")
    assert "Give extra time, a later due date or extra attempts." in page.text
    page = post(teacher_client, assignment, student=zelda.pk, extra_time="0")
    assert "Extra time must be longer than zero." in page.text
    page = post(teacher_client, assignment, student=zelda.pk, extra_time="-00:05:00")
    assert "Type a duration such as 20 (minutes)" in page.text
    assert not Override.objects.exists()


def test_an_old_override_whose_date_has_passed_does_not_block_saving(
    teacher_client, assignment, zelda
):
    old = OverrideFactory(
        assignment=assignment, student=zelda, due_at=timezone.now() - timedelta(days=1)
    )
    data = change_form(assignment)
    local = timezone.localtime(old.due_at)
    data.update(
        {
            "overrides-TOTAL_FORMS": "1",
            "overrides-INITIAL_FORMS": "1",
            "overrides-0-id": old.pk,
            "overrides-0-assignment": assignment.pk,
            "overrides-0-student": zelda.pk,
            "overrides-0-due_at_0": local.strftime("%Y-%m-%d"),
            "overrides-0-due_at_1": local.strftime("%H:%M:%S"),
            "overrides-0-extra_attempts": "0",
            "attempts_allowed": "2",
        }
    )
    page = teacher_client.post(f"/admin/classrooms/assignment/{assignment.pk}/change/", data)
    assert page.status_code == 302
    assignment.refresh_from_db()
    assert assignment.attempts_allowed == 2


def test_a_due_date_before_the_opening_date_is_refused(teacher_client, assignment):
    data = change_form(assignment)
    later = timezone.localtime(assignment.due_at) + timedelta(days=1)
    data.update({"opens_at_0": later.strftime("%Y-%m-%d"), "opens_at_1": "09:00:00"})
    page = teacher_client.post(f"/admin/classrooms/assignment/{assignment.pk}/change/", data)
    assert "The due date must come after the opening date." in page.text


def test_extra_time_reaches_a_student_already_answering(teacher_client, assignment, zelda):
    from quizzes.models import Attempt

    assignment.time_limit = timedelta(minutes=10)
    assignment.save()
    started = timezone.now()
    attempt = Attempt.objects.create(
        quiz=assignment.quiz,
        assignment=assignment,
        user=zelda,
        started_at=started,
        deadline=started + timedelta(minutes=10),
    )
    form = change_form(assignment, student=zelda.pk, extra_time="00:30:00", extra_attempts="0")
    form.update(time_limit="00:10:00", due_at_0="", due_at_1="")

    page = teacher_client.post(
        f"/admin/classrooms/assignment/{assignment.pk}/change/", form, follow=True
    )

    assert "The new rules apply to 1 attempt in progress." in page.text
    attempt.refresh_from_db()
    assert attempt.deadline == started + timedelta(minutes=40)


PRACTICE_REFUSED = "A lesson&#x27;s practice quiz can&#x27;t be assigned: anyone may take it"


@pytest.fixture
def practice_quiz(assignment):
    return QuizFactory(lesson=assignment.quiz.lesson, title="Practice run", is_practice=True)


def test_a_practice_quiz_cannot_be_assigned_and_the_admin_says_why(
    teacher_client, assignment, practice_quiz
):
    data = {**change_form(assignment), "quiz": practice_quiz.pk}

    added = teacher_client.post("/admin/classrooms/assignment/add/", data)
    changed = post_quiz(teacher_client, assignment, practice_quiz)

    for page in (added, changed):
        assert page.status_code == 200
        assert PRACTICE_REFUSED in page.text
    assert Assignment.objects.get() == assignment
    assignment.refresh_from_db()
    assert assignment.quiz != practice_quiz


def post_quiz(client, assignment, quiz):
    data = change_form(assignment)
    data["quiz"] = quiz.pk
    return client.post(f"/admin/classrooms/assignment/{assignment.pk}/change/", data)


def test_the_assignment_quiz_picker_does_not_offer_practice_quizzes(
    teacher_client, assignment, practice_quiz
):
    query = {"app_label": "classrooms", "model_name": "assignment", "field_name": "quiz"}
    found = teacher_client.get("/admin/autocomplete/", query).json()["results"]
    titles = [result["text"] for result in found]
    assert assignment.quiz.title in titles
    assert practice_quiz.title not in titles


def test_an_assigned_quiz_cannot_become_the_practice_quiz(assignment):
    quiz = assignment.quiz
    quiz.is_practice = True
    with pytest.raises(ValidationError) as refused:
        quiz.full_clean()
    message = refused.value.message_dict["is_practice"][0]
    assert "This quiz is assigned to classes" in message
    assert assignment.classroom.name in message  # named: the teacher knows whose classes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"feedback_mode": "immediate", "review_shows_answers": ""},
            "Immediate feedback shows whether each answer was right as it is checked.",
        ),
        (
            {"feedback_mode": "deferred", "review_shows_answers": "on"},
            "The right answers beside the student&#x27;s show whether each was right.",
        ),
    ],
)
def test_hiding_verdicts_is_refused_where_the_student_would_see_them_anyway(
    teacher_client, assignment, changes, message
):
    data = {**change_form(assignment), **changes, "review_shows_verdicts": ""}
    page = teacher_client.post(f"/admin/classrooms/assignment/{assignment.pk}/change/", data)
    assert page.status_code == 200
    assert message in page.text
    assignment.refresh_from_db()
    assert assignment.review_shows_verdicts


def test_a_deferred_review_can_hide_answers_and_verdicts(teacher_client, assignment):
    data = {**change_form(assignment), "review_shows_answers": "", "review_shows_verdicts": ""}
    page = teacher_client.post(f"/admin/classrooms/assignment/{assignment.pk}/change/", data)
    assert page.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.review_shows_answers, assignment.review_shows_verdicts) == (False, False)
