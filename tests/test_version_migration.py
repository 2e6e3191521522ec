"""The question-versions migration on a database that already holds attempts: every
attempt then shows, and is scored against, version 1 of each question it showed."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from quizzes.models import Attempt, Question, Response

BEFORE = [("quizzes", "0011_quiz_owners"), ("classrooms", "0008_enrollment_origin")]


@pytest.fixture
def migrator(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor
    executor = MigrationExecutor(connection)  # back to the latest, for the other tests
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_attempts_point_at_version_1_of_the_questions_they_showed(migrator):
    old = migrator.loader.project_state(BEFORE).apps
    lesson = old.get_model("lessons", "Lesson").objects.create(title="Waves", slug="waves")
    section = old.get_model("lessons", "Section").objects.create(
        lesson=lesson, position=1, anchor="a", heading="A", body="Text."
    )
    quiz = old.get_model("quizzes", "Quiz").objects.create(lesson=lesson, title="Q", slug="q")
    OldQuestion = old.get_model("quizzes", "Question")
    questions = [
        OldQuestion.objects.create(
            quiz=quiz, key=f"q{n}", position=n, kind="single", prompt=f"Q{n}?", evidence=section
        )
        for n in (1, 2)
    ]
    choices = [
        old.get_model("quizzes", "Choice").objects.create(
            question=question, position=1, text="Right", is_correct=True
        )
        for question in questions
    ]
    classroom = old.get_model("classrooms", "Classroom").objects.create(name="7A", join_code="X")
    assignment = old.get_model("classrooms", "Assignment").objects.create(
        classroom=classroom, quiz=quiz
    )
    attempt = old.get_model("quizzes", "Attempt").objects.create(
        quiz=quiz, assignment=assignment, max_score=2
    )
    old.get_model("quizzes", "Response").objects.create(
        attempt=attempt, question=questions[0], answer=choices[0].pk, points=1
    )

    migrator.loader.build_graph()
    migrator.migrate(migrator.loader.graph.leaf_nodes())

    attempt = Attempt.objects.get(pk=attempt.pk)
    shown = list(attempt.questions())
    assert [(q.key, q.version, q.is_current) for q in shown] == [("q1", 1, True), ("q2", 1, True)]
    assert Response.objects.get().question == shown[0]
    assert [c.lineage for q in shown for c in q.choices.all()] == [c.pk for c in choices]
    assert attempt.full_marks() == Decimal(2)
    assert Question.objects.count() == 2
