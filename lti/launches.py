"""What a launch from an LMS makes here: an account for its user, a class for its course,
an assignment for its activity. Each is found again by its LTI identity on the next launch:
an account by the platform's user id (`sub`), never by a name or an email that looks alike."""

import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from lti_tool.models import LtiContext, LtiResourceLink, LtiUser
from lti_tool.services import nrps

from classrooms.models import Assignment, Classroom, Enrollment
from lti.models import Activity, Course

# The platform's claim holding what the tool may do with grades (LTI Assignment and Grade
# Services), kept on the activity for the grades sent later.
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def linked_user(lti_launch):
    return account_of(lti_launch.user)


def account_of(lti_user):
    """The account of an LMS user, made the first time the LMS names them (a launch or the
    course's roster): no password, since they sign in through the LMS, and never staff, so
    an LTI user can't reach the admin."""
    if lti_user.auth_user_id is not None:
        return lti_user.auth_user
    with transaction.atomic():
        # Locked and read again: two launches at once (a double click) make one account.
        lti_user = LtiUser.objects.select_for_update().get(pk=lti_user.pk)
        if lti_user.auth_user_id is None:
            user = get_user_model()(
                username=f"lti-{uuid.uuid4().hex[:16]}",
                first_name=(lti_user.given_name or lti_user.name)[:150],
                last_name=lti_user.family_name[:150],
            )
            user.set_unusable_password()
            user.save()
            lti_user.auth_user = user
            lti_user.save(update_fields=["auth_user"])
    return lti_user.auth_user


def is_instructor(lti_launch) -> bool:
    membership = lti_launch.membership
    return membership.is_instructor or membership.is_administrator


def course_of(lti_launch) -> Course:
    """The class that stands for the launch's course, made on its first launch."""
    context = lti_launch.context
    with transaction.atomic():
        LtiContext.objects.select_for_update().filter(pk=context.pk).first()  # one at a time
        course = Course.objects.filter(context=context).select_related("classroom").first()
        if course is None:
            name = context.title or context.label or context.id_on_platform
            classroom = Classroom.objects.create(name=name[:200])
            course = Course.objects.create(context=context, classroom=classroom)
    return course


def activity_of(lti_launch, quiz, course) -> Activity:
    """The assignment that stands for the launch's activity, made on its first launch,
    with where its grades go as the latest launch says."""
    resource_link = lti_launch.resource_link
    grade_service = lti_launch.get_claim(AGS_CLAIM) or {}
    with transaction.atomic():
        LtiResourceLink.objects.select_for_update().filter(pk=resource_link.pk).first()
        activity = Activity.objects.filter(resource_link=resource_link).first()
        if activity is None:
            assignment = Assignment.objects.create(classroom=course.classroom, quiz=quiz)
            activity = Activity.objects.create(
                resource_link=resource_link,
                assignment=assignment,
                registration=lti_launch.registration,
                grade_service=grade_service,
            )
        elif grade_service and grade_service != activity.grade_service:
            activity.grade_service = grade_service
            activity.save(update_fields=["grade_service"])
    return activity


def join(course, user, instructor: bool) -> None:
    """The user in the course's class: as a teacher, or as a student from the LMS."""
    if instructor:
        course.classroom.teachers.add(user)
    else:
        Enrollment.objects.get_or_create(
            classroom=course.classroom, student=user, defaults={"origin": Enrollment.Origin.LMS}
        )


def sync_roster(course) -> None:
    """The course's class as the LMS's roster has it now (Names and Role Provisioning): its
    teachers, and its active learners as students from the LMS; a learner the LMS no longer
    lists as active leaves the class (their attempts stay). Each member is found by the
    LMS's user id, and made an account the first time."""
    context = course.context
    nrps.sync_memberships(context)
    classroom = course.classroom
    for membership in context.memberships.select_related("user"):
        user = account_of(membership.user)
        if membership.is_instructor or membership.is_administrator:
            classroom.teachers.add(user)
        elif membership.is_learner and membership.is_active:
            join(course, user, instructor=False)
        else:
            Enrollment.objects.filter(
                classroom=classroom, student=user, origin=Enrollment.Origin.LMS
            ).delete()
