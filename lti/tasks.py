"""The LMS link's work for the worker, so a slow LMS never holds up a page.

Grades go to the LMS's gradebook (LTI Assignment and Grade Services): the student's grade
at an activity, as its assignment's grading method picks it from their submitted attempts,
each time a score of theirs changes there: at submission, after a teacher marks an answer,
after a regrade. The course's roster (Names and Role Provisioning) is brought in each time
one of its teachers opens an activity.

A grade the LMS doesn't take (down, or answering with an error) is sent again later, a few
times further apart: it is worked out afresh each time, so a later send never sends an old
grade."""

from datetime import timedelta

import requests
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.tasks import task
from django.utils import timezone
from lti_tool.models import LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from classrooms import gradebook
from lti import launches
from lti.models import Activity, Course
from quizzes.models import Attempt

SCORE_FIELDS = {"submitted_at", "score", "max_score", "is_provisional"}
# How long after each failed send of a grade the next one goes; then no more.
GRADE_RETRIES = [
    timedelta(minutes=1),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(days=1),
]


@receiver(post_save, sender=Attempt)
def attempt_scored(sender, instance, update_fields=None, **kwargs):
    if instance.submitted_at is None or instance.assignment_id is None:
        return
    if update_fields is not None and not SCORE_FIELDS & set(update_fields):
        return
    if Activity.objects.filter(assignment_id=instance.assignment_id).exists():
        # A row in the database's task table, written in the score's own transaction: the
        # grade is sent if and only if the score is saved.
        send_grade.enqueue(instance.assignment_id, instance.user_id)


@task()
def send_grade(assignment_id: int, user_id: int, tries: int = 0) -> None:
    activity = Activity.objects.select_related("assignment", "registration", "resource_link").get(
        assignment_id=assignment_id
    )
    student = LtiUser.objects.filter(
        registration=activity.registration, auth_user_id=user_id
    ).first()
    if student is None:  # added to the class here, not by the LMS: it has no place for them
        return
    grade = gradebook.grade_of(activity.assignment, user_id)
    if grade is None:
        return
    score = (
        Grade()
        .set_score_given(float(grade.score))
        .set_score_maximum(float(grade.max_score))
        .set_timestamp(timezone.now().isoformat())
        .set_activity_progress("Completed")
        # Provisional: an answer waits for a teacher, who may still raise it.
        .set_grading_progress("Pending" if grade.is_provisional else "FullyGraded")
        .set_user_id(student.sub)
    )
    service = AssignmentsGradesService(
        ServiceConnector(activity.registration.to_registration()), activity.grade_service
    )
    line_item = None
    if not activity.grade_service.get("lineitem"):  # the LMS made none: ours, by its tag
        line_item = (
            LineItem()
            .set_tag(f"orbit-quiz-{activity.pk}")
            .set_label(str(activity.assignment.quiz))
            .set_resource_link_id(activity.resource_link.id_on_platform)
            .set_score_maximum(float(grade.max_score))
        )
    try:
        service.put_grade(score, line_item)
    except (LtiException, requests.RequestException):
        if tries < len(GRADE_RETRIES):
            later = timezone.now() + GRADE_RETRIES[tries]
            send_grade.using(run_after=later).enqueue(assignment_id, user_id, tries + 1)
        raise  # this send failed: logged at ERROR, with its traceback, by the worker


@task()
def sync_roster(course_id: int) -> None:
    launches.sync_roster(Course.objects.select_related("context", "classroom").get(pk=course_id))
