"""A school as a teacher finds it on a working day, for the browser tests of teacher pages:
the shipped lesson and quizzes, a class of students, two assignments (one with an override),
submitted attempts with essays waiting for marking, and another teacher's class beside it."""

import importlib
from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import TeacherFactory, UserFactory
from background.models import Task
from classrooms.factories import (
    AssignmentFactory,
    ClassroomFactory,
    EnrollmentFactory,
    OverrideFactory,
)
from quizzes.models import Attempt, Question, Quiz

TEACHERS_GROUP = importlib.import_module("classrooms.migrations.0003_teachers_group")


def ensure_teachers_group():
    """The Teachers group as its data migration makes it. Browser tests run in committed
    transactions, and emptying the database after one leaves no group for the next."""
    group, _created = Group.objects.get_or_create(name=TEACHERS_GROUP.TEACHERS)
    group.permissions.set(
        Permission.objects.get(
            content_type__app_label=app_label,
            content_type__model=model,
            codename=f"{action}_{model}",
        )
        for app_label, models in TEACHERS_GROUP.PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions.split()
    )


STUDENTS = [("ada", "Ada", "Lovelace"), ("mae", "Mae", "Jemison"), ("yang", "Yang", "Liwei")]


def answer_for(question: Question, student_number: int):
    """A plausible answer: right for the first student, wrong for the others, an essay
    for each essay question; None (left unanswered) for the kinds this data doesn't need."""
    choices = list(question.choices.order_by("position"))
    match question.kind:
        case Question.Kind.SINGLE | Question.Kind.TRUE_FALSE:
            right = [c for c in choices if c.is_correct]
            wrong = [c for c in choices if not c.is_correct]
            return (right if student_number == 0 or not wrong else wrong)[0].pk
        case Question.Kind.SHORT_TEXT:
            return choices[0].text if student_number == 0 else "I am not sure"
        case Question.Kind.ESSAY:
            return "The Wolf Amendment stops NASA from working with China without approval."
    return None


def make_school() -> dict:
    ensure_teachers_group()
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    teacher = TeacherFactory(username="teacher", first_name="Tess", last_name="Teacher")
    classroom = ClassroomFactory(name="Year 10 Physics", teachers=[teacher])
    students = [
        UserFactory(username=username, first_name=first, last_name=last, email=f"{username}@x.org")
        for username, first, last in STUDENTS
    ]
    for student in students:
        EnrollmentFactory(classroom=classroom, student=student)
    quizzes = Quiz.objects.filter(is_practice=False).order_by("position")
    with_essays = quizzes.filter(questions__kind=Question.Kind.ESSAY).first()
    other = quizzes.exclude(pk=with_essays.pk).first()
    # Tess wrote the quizzes she assigns, so she may fix their keys; the rest are the bank's.
    for quiz in (with_essays, other):
        quiz.owners.add(teacher)
    essay_assignment = AssignmentFactory(
        classroom=classroom,
        quiz=with_essays,
        due_at=timezone.now() + timedelta(days=7),
        time_limit=timedelta(minutes=20),
        attempts_allowed=2,
    )
    AssignmentFactory(
        classroom=classroom,
        quiz=other,
        feedback_mode="immediate",
        due_at=timezone.now() + timedelta(days=14),
    )
    OverrideFactory(
        assignment=essay_assignment, student=students[2], extra_time=timedelta(minutes=10)
    )
    for number, student in enumerate(students):
        attempt = Attempt.objects.create(
            quiz=with_essays,
            assignment=essay_assignment,
            user=student,
            max_score=with_essays.max_score,
        )
        for question in with_essays.questions.all():
            answer = answer_for(question, number)
            if answer is not None:
                attempt.save_answer(question, answer)
        attempt.submit()
    # A regrade the teacher started, halfway through: its page is one a teacher reaches.
    Task.objects.create(
        title="Regrade the answers to a question",
        started_by=teacher,
        work="quizzes.tasks.regrade",
        status=Task.Status.RUNNING,
        total=40,
        done=15,
    )
    # Someone else's class, which this teacher must never see.
    other_teacher = TeacherFactory(username="other-teacher")
    other_class = ClassroomFactory(name="Other School Class", teachers=[other_teacher])
    EnrollmentFactory(classroom=other_class, student=UserFactory(username="zed-elsewhere"))
    return {
        "teacher": teacher,
        "classroom": classroom,
        "students": students,
        "assignment": essay_assignment,
        "other_class": other_class,
    }


def log_in_to_admin(page, username="teacher", password="correct horse battery"):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
