import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from accounts.factories import TeacherFactory, UserFactory
from lessons.factories import LessonFactory, SectionFactory
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Attempt, Question

# Property tests: no deadline (a busy CI machine is not a slow function) and no example
# database in the project. In CI the examples are derived from each test, so a run can be
# repeated exactly; elsewhere they are random, to keep finding new cases.
hypothesis_settings.register_profile("orbit", deadline=None, database=None)
hypothesis_settings.register_profile(
    "ci", parent=hypothesis_settings.get_profile("orbit"), derandomize=True
)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") == "true" else "orbit")


def pytest_sessionstart(session):
    """Compile the translations when a catalog changed since (bin/test always does): pages in
    Chinese would otherwise show the strings of an older build, or English."""
    catalogs = Path(__file__).resolve().parent.parent / "locale"
    for po in catalogs.glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        stale = not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime
        if stale and shutil.which("msgfmt"):  # without gettext, tests/test_languages.py fails
            subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashers are slow on purpose; tests create many accounts and check no hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def unhashed_static_files(settings):
    # The hashed-name manifest exists only after collectstatic, which tests don't run.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def student(db):
    return UserFactory(username="student")


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


@pytest.fixture
def quiz(db):
    """A two-question single-choice quiz; the right choice of each is 'Right'."""
    quiz = QuizFactory(title="Space basics")
    QuestionFactory(
        quiz=quiz,
        position=1,
        prompt="Which agency is China's?",
        choices=[("CNSA", True), ("NASA", False), ("OSTP", False)],
    )
    QuestionFactory(
        quiz=quiz,
        position=2,
        prompt="When was the Wolf Amendment passed?",
        choices=[("2011", True), ("2006", False)],
    )
    return quiz


@pytest.fixture
def make_assignment(db, student):
    """Assign a quiz to a class the `student` is in; keyword arguments set its rules."""
    from classrooms.models import Assignment, Classroom, Enrollment

    def make(quiz, **rules):
        classroom = Classroom.objects.create(name="Year 10 Physics")
        classroom.teachers.add(UserFactory(username=f"teacher-{classroom.pk}"))
        Enrollment.objects.create(classroom=classroom, student=student)
        return Assignment.objects.create(classroom=classroom, quiz=quiz, **rules)

    return make


@pytest.fixture
def teacher(db):
    return TeacherFactory(username="teacher", first_name="Tess", last_name="Teacher")


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def take_quiz():
    """Answer an assignment's quiz as `student` and submit: take_quiz(assignment, student,
    {question: answer}) returns the submitted attempt."""

    def take(assignment, student, answers):
        attempt = Attempt.objects.create(
            quiz=assignment.quiz, assignment=assignment, user=student, max_score=0
        )
        for question, answer in answers.items():
            attempt.save_answer(question, answer)
        attempt.submit()
        return attempt

    return take


@pytest.fixture
def practice_quiz(quiz):
    """The two-question quiz as its lesson's practice quiz: anyone may start it."""
    quiz.is_practice = True
    quiz.save()
    return quiz


@pytest.fixture
def practice_lesson(db):
    """A short lesson whose practice quiz has a single-choice and a short-text question."""
    lesson = LessonFactory(title="Making waves in space", slug="making-waves")
    SectionFactory(
        lesson=lesson,
        position=1,
        anchor="agencies",
        heading="Two agencies",
        body="China's space agency is the CNSA; the United States has NASA.",
    )
    SectionFactory(
        lesson=lesson,
        position=2,
        anchor="law",
        heading="A law from 2011",
        body="The Wolf Amendment limits how NASA may work with China.",
    )
    quiz = QuizFactory(lesson=lesson, title="Check your reading", is_practice=True)
    QuestionFactory(
        quiz=quiz,
        position=1,
        prompt="Which agency is China's?",
        choices=[("CNSA", True), ("NASA", False)],
    )
    QuestionFactory(
        quiz=quiz,
        position=2,
        kind=Question.Kind.SHORT_TEXT,
        prompt="Which law limits NASA's work with China?",
        choices=[("Wolf Amendment", True)],
    )
    return lesson


@pytest.fixture
def run_tasks():
    """Run the background tasks waiting in the database, as the worker does (its own
    run_task), and return when none is left. Not through `db_worker --batch`: between tasks
    it closes connections inside a transaction, which ends the test's own on PostgreSQL."""
    from django_tasks_db.models import DBTaskResult

    from classrooms.management.commands.worker import database_worker

    worker = database_worker("tests", interval=0, batch=True)

    def run():
        while (task := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
            task.claim(worker.worker_id)
            worker.run_task(task)

    return run
