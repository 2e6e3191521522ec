"""A teacher's long work in the background (background.Task): the page that starts it
answers at once; its progress page counts what is committed; a worker killed halfway is
replaced and the work finishes with nothing done twice; an error says so."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.factories import UserFactory
from background.models import Task
from classrooms.factories import AssignmentFactory, ClassroomFactory
from lessons.factories import LessonFactory, SectionFactory
from quizzes import marking
from quizzes import tasks as quiz_tasks
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Attempt, ScoreChange

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What a kill -9 looks like from inside: nothing after it runs."""


def dies_on_call(monkeypatch, method: str, number: int):
    """Make Task.<method> kill the worker the `number`th time it is called."""
    real = getattr(Task, method)
    calls = []

    def dying(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            raise WorkerKilled
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Task, method, dying)
    return lambda: monkeypatch.setattr(Task, method, real)


def restart_after_stall(task):
    later = timezone.now() + settings.TASK_STALLED_AFTER + timedelta(seconds=1)
    assert Task.objects.restart_stalled(timezone.now()) == []  # still alive, for all we know
    assert Task.objects.restart_stalled(later) == [task.pk]
    assert Task.objects.restart_stalled(later) == []  # one restart, however many workers look


@pytest.fixture
def regrade_class(teacher, take_quiz, monkeypatch):
    """Five students who picked NASA, then a key changed to make NASA right (in place, as
    a fix to a question nobody else has seen), so a regrade raises each of them by 1."""
    monkeypatch.setattr(marking, "REGRADE_BATCH", 2)
    quiz = QuizFactory(owners=[teacher])
    question = QuestionFactory(quiz=quiz, choices=[("CNSA", True), ("NASA", False)])
    assignment = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[teacher]))
    nasa = question.choices.get(text="NASA")
    for n in range(5):
        take_quiz(assignment, UserFactory(username=f"s{n}"), {question: nasa.pk})
    question.choices.update(is_correct=False)
    nasa.__class__.objects.filter(pk=nasa.pk).update(is_correct=True)
    return question


def scores():
    return sorted(Attempt.objects.values_list("score", flat=True))


def test_a_regrade_starts_at_once_and_its_page_counts_the_attempts_done(
    teacher_client, regrade_class, run_tasks
):
    url = reverse("admin:quizzes_question_regrade", args=[regrade_class.pk])
    started = teacher_client.post(url)
    task = Task.objects.get()
    assert started["Location"] == reverse("admin:background_task_change", args=[task.pk])
    assert scores() == [0] * 5  # the worker does it, not the request
    page = teacher_client.get(started["Location"]).text
    assert "Waiting for the background worker to start it." in page
    assert 'hx-trigger="every 1s"' in page

    run_tasks()
    assert scores() == [1] * 5
    page = teacher_client.get(started["Location"]).text
    assert "Regraded 5 attempts: 5 scores changed, in 5 attempts." in page
    assert "hx-trigger" not in page  # finished: nothing more to poll
    assert reverse("admin:quizzes_question_change", args=[regrade_class.pk]) in page


def test_a_regrade_killed_halfway_keeps_its_batches_and_finishes_once_restarted(
    teacher_client, regrade_class, run_tasks, monkeypatch
):
    teacher_client.post(reverse("admin:quizzes_question_regrade", args=[regrade_class.pk]))
    task = Task.objects.get()
    revive = dies_on_call(monkeypatch, "advance", 2)  # in the second batch of two
    with pytest.raises(WorkerKilled):
        quiz_tasks.regrade.call(task.pk)
    revive()
    assert scores() == [0, 0, 0, 1, 1]  # the first batch was committed, the second was not
    page = teacher_client.get(reverse("admin:background_task_change", args=[task.pk]))
    assert "2 of 5 done." in page.text

    restart_after_stall(task)
    run_tasks()
    assert scores() == [1] * 5
    assert ScoreChange.objects.count() == 5  # one change per answer: none made twice
    task.refresh_from_db()
    assert task.status == Task.Status.FINISHED
    assert task.outcome == "Regraded 5 attempts: 5 scores changed, in 5 attempts."


def test_a_second_click_follows_the_first_task(teacher_client, regrade_class):
    url = reverse("admin:quizzes_question_regrade", args=[regrade_class.pk])
    first, second = teacher_client.post(url), teacher_client.post(url)
    assert first["Location"] == second["Location"]
    # The page that started it says it runs, and leads to it.
    assert f'href="{first["Location"]}">See its progress' in teacher_client.get(url).text
    assert Task.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_an_error_stops_the_task_and_says_so(
    teacher_client, regrade_class, run_tasks, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    teacher_client.post(reverse("admin:quizzes_question_regrade", args=[regrade_class.pk]))
    monkeypatch.setattr(marking, "regrade", broken)
    run_tasks()
    task = Task.objects.get()
    assert task.status == Task.Status.FAILED
    page = teacher_client.get(reverse("admin:background_task_change", args=[task.pk])).text
    assert "This stopped with an error after 0 steps." in page
    assert "hx-trigger" not in page
    # The worker logs the error, with its traceback, where Sentry picks it up when configured.
    assert DBTaskResult.objects.get().status == "FAILED"
    (logged,) = [r for r in caplog.records if r.name == "django.tasks" and r.levelname == "ERROR"]
    assert "the database went away" in str(logged.exc_info[1])
    assert Task.objects.restart_stalled(timezone.now() + timedelta(days=1)) == []


def test_the_poll_gets_only_the_progress(teacher_client, regrade_class, run_tasks):
    teacher_client.post(reverse("admin:quizzes_question_regrade", args=[regrade_class.pk]))
    url = reverse("admin:background_task_change", args=[Task.objects.get().pk])
    polled = teacher_client.get(url, headers={"HX-Request": "true"})
    assert polled.text.lstrip().startswith('<div id="task-progress"')
    assert "no-store" in polled["Cache-Control"]
    run_tasks()
    polled = teacher_client.get(url, headers={"HX-Request": "true"})
    assert polled.text.lstrip().startswith('<div id="task-progress"')
    assert "Regraded 5 attempts" in polled.text


def test_the_task_list_shows_each_teacher_their_own(teacher_client, regrade_class, client):
    teacher_client.post(reverse("admin:quizzes_question_regrade", args=[regrade_class.pk]))
    mine = teacher_client.get(reverse("admin:background_task_changelist")).text
    assert "Regrade the answers to" in mine
    other = UserFactory(username="other", is_staff=True)
    client.force_login(other)
    theirs = client.get(reverse("admin:background_task_changelist")).text
    assert "Regrade the answers to" not in theirs


# Question import: one transaction, so a killed worker leaves nothing behind.

BANK = "::Agency::Which agency is China's?{=CNSA ~NASA}\n\nWhich year?{=2011 ~2019}\n"


def test_an_import_killed_before_its_commit_leaves_nothing_and_runs_whole_again(
    teacher_client, teacher, run_tasks, monkeypatch
):
    lesson = LessonFactory()
    SectionFactory(lesson=lesson, heading="Opening")
    quiz = QuizFactory(lesson=lesson, owners=[teacher])
    url = reverse("admin:quizzes_quiz_import", args=[quiz.pk])
    teacher_client.post(url, {"text": BANK, "format": "gift", "_apply": "1"})
    task = Task.objects.get()
    revive = dies_on_call(monkeypatch, "finish", 1)  # the questions written, not committed
    with pytest.raises(WorkerKilled):
        quiz_tasks.import_questions.call(task.pk)
    revive()
    assert not quiz.questions.exists()
    page = teacher_client.get(reverse("admin:background_task_change", args=[task.pk])).text
    assert "this is done in one go" in page

    restart_after_stall(task)
    run_tasks()
    assert [q.prompt for q in quiz.questions.all()] == ["Which agency is China's?", "Which year?"]
    task.refresh_from_db()
    assert task.outcome.startswith("2 questions imported.")
    assert task.arguments == {}  # the file's text is not kept


def test_an_import_refused_by_the_time_it_runs_says_why(
    teacher_client, teacher, run_tasks, take_quiz
):
    lesson = LessonFactory()
    SectionFactory(lesson=lesson, heading="Opening")
    quiz = QuizFactory(lesson=lesson, owners=[teacher])
    question = QuestionFactory(quiz=quiz, evidence=lesson.sections.get())
    url = reverse("admin:quizzes_quiz_import", args=[quiz.pk])
    teacher_client.post(url, {"text": BANK, "format": "gift", "_apply": "1"})
    # Meanwhile a class answers the quiz: its questions are fixed from now on.
    assignment = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[teacher]))
    take_quiz(assignment, UserFactory(), {question: question.choices.first().pk})
    run_tasks()
    task = Task.objects.get()
    assert task.status == Task.Status.FAILED
    assert task.outcome.startswith("Nothing was imported:")
    assert list(quiz.questions.all()) == [question]


def test_a_second_run_that_fails_after_the_first_finished_leaves_it_finished(
    teacher_client, regrade_class, run_tasks
):
    teacher_client.post(reverse("admin:quizzes_question_regrade", args=[regrade_class.pk]))
    task = Task.objects.get()
    stale = Task.objects.get(pk=task.pk)  # a run restarted while the first still ran
    run_tasks()
    stale.fail("It stopped with an error.")
    task.refresh_from_db()
    assert task.status == Task.Status.FINISHED
    assert task.outcome.startswith("Regraded 5 attempts")
