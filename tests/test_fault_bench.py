"""bench/faults.py judges answers by what students see: its reading of the question page and of
the stored row must agree with the app, or its "lost" and "stored" figures mean nothing."""

import importlib.util
import random
from pathlib import Path

import pytest
from django.core.management import call_command

from quizzes.models import Attempt, Choice, Quiz, Response

spec = importlib.util.spec_from_file_location(
    "faults", Path(__file__).resolve().parent.parent / "bench" / "faults.py"
)
faults = importlib.util.module_from_spec(spec)
spec.loader.exec_module(faults)


@pytest.fixture
def review_attempt(student_client, make_assignment):
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    quiz = Quiz.objects.get(slug=faults.QUIZ)
    assignment = make_assignment(quiz, feedback_mode="deferred")
    student_client.post(f"/assignments/{assignment.pk}/start/")
    return Attempt.objects.get(quiz=quiz)


def test_what_the_harness_types_is_what_the_database_holds(student_client, review_attempt):
    """Every question of the benchmark's quiz, read from its page, answered twice through
    the autosave; the stored row decodes to the harness's meaning of the newest answer."""
    first = student_client.get(review_attempt.get_absolute_url(), follow=True)
    reader = faults.FormReader()
    reader.feed(first.text)
    choices = {c.pk: (c.text, c.match_text) for c in Choice.objects.all()}
    rng = random.Random(3)
    kinds = set()
    assert len(reader.links) == review_attempt.quiz.questions.count()
    for link in reader.links:
        question = faults.read_question(student_client.get(link).text, link)
        for _ in range(2):
            data, meaning = faults.pick(question, rng)
            reply = student_client.post(question.action, data, HTTP_HX_REQUEST="true")
            assert reply.status_code == 200, (question.prompt, reply.text)
        row = Response.objects.select_related("question").get(
            attempt=review_attempt, question__prompt__startswith=question.prompt[:40]
        )
        assert faults.words(row.question.prompt) == question.prompt
        assert faults.stored_meaning(row.question.kind, row.answer, choices) == meaning
        kinds.add(row.question.kind)
    assert len(kinds) == 8  # every kind of question


def changes(*specs):
    """Changes from (meaning, sent, acknowledged) triples, revisions 1, 2, ..."""
    return [
        faults.Change(n, {}, meaning, sent, acked)
        for n, (meaning, sent, acked) in enumerate(specs, 1)
    ]


@pytest.mark.parametrize(
    ("history", "stored", "verdict"),
    [
        # The newest change acknowledged and stored.
        ([("A", True, True), ("B", True, True)], "B", {"acked", "stored"}),
        # Acknowledged, but the row holds an older answer: lost.
        ([("A", True, True), ("B", True, True)], "A", {"acked", "lost"}),
        # Acknowledged, and no row at all: lost.
        ([("A", True, True)], None, {"acked", "lost"}),
        # A later change reached the database but its reply did not: stored, not lost.
        ([("A", True, True), ("B", True, False)], "B", {"unsaved", "stored"}),
        # Never acknowledged and never stored: unsaved, but nothing the student saw as saved.
        ([("A", True, False), ("B", False, False)], None, {"unsaved"}),
        # The row holds a change typed after the acknowledged one but never sent: impossible
        # for a correct server, so it counts as lost.
        ([("A", True, True), ("B", False, False)], "B", {"unsaved", "stored", "lost"}),
    ],
)
def test_judging_one_answer(history, stored, verdict):
    assert faults.judge(changes(*history), stored) == verdict


def test_recovery_is_measured_from_the_fault_end_to_saves_acknowledged_again():
    replies = [(1.0, True), (5.0, False), (11.0, False), (12.5, True), (13.0, True)]
    assert faults.recovery(replies, fault_end=10.0) == 2.5
    assert faults.recovery([(9.0, False), (10.5, True)], fault_end=10.0) == 0.0
    assert faults.recovery([(10.5, True), (11.0, False)], fault_end=10.0) is None
