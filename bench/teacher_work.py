"""A regrade of a big school's answers and a file of hundreds of questions: how long the
teacher's request takes (target: under 1 s, since the worker does the work) and how long the
worker takes.

    .venv/bin/python bench/teacher_work.py          # about a minute on 2 cores

A scratch SQLite file (WAL, as the site runs) filled by `generate_school` (3,000 students,
30 classes, 100,000 answers); requests go through Django's test client as a superuser (so
the regrade covers every class); the worker is `manage.py db_worker --batch`, which runs
the tasks waiting and stops.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
SCRATCH = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

COPIES = 8  # of the shipped bank's 61 questions, in one file: 488 (an import takes 500)


def timed(what, function):
    started = time.perf_counter()
    result = function()
    print(f"{what:<48} {time.perf_counter() - started:8.2f} s")
    return result


def main() -> None:
    from django.conf import settings

    from accounts.factories import UserFactory
    from background.models import Task
    from quizzes.factories import QuizFactory
    from quizzes.interchange import report
    from quizzes.models import Question, Quiz

    setup_test_environment()  # the test client's host name
    # Pages name static files without a collectstatic run, as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    call_command("generate_school", students=3000, classes=30, responses=100_000, verbosity=0)
    root = UserFactory(username="bench-root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    client.get("/admin/")  # the first request loads what every later one reuses

    question = Question.objects.annotate(answers=Count("responses")).order_by("-answers").first()
    # The key fixed in place (as a superuser's loaddata does): every answer scores again.
    right = question.choices.filter(is_correct=True)
    wrong = question.choices.filter(is_correct=False)
    first_wrong = wrong.first()
    right.update(is_correct=False)
    wrong.filter(pk=first_wrong.pk).update(is_correct=True)
    print(f"Regrade of {question.answers} answers, in every class:")
    timed(
        "  the teacher's request (queue the task)",
        lambda: client.post(f"/admin/quizzes/question/{question.pk}/regrade/"),
    )
    timed("  the worker", lambda: call_command("db_worker", batch=True, verbosity=0))
    print(f"  {Task.objects.get().outcome}")

    shipped = list(Quiz.objects.filter(is_practice=False))
    text, _left_out = report.export(shipped, "gift")
    big = "\n\n".join(text for _ in range(COPIES))
    quiz = QuizFactory(lesson=shipped[0].lesson, owners=[root], title="Bench import")
    url = f"/admin/quizzes/quiz/{quiz.pk}/import/"
    print(f"Import of a GIFT file of {len(big) // 1000} kB:")
    timed(
        "  the report (reads the file, writes nothing)",
        lambda: client.post(url, {"text": big, "format": "gift"}),
    )
    timed(
        "  the teacher's request (queue the task)",
        lambda: client.post(url, {"text": big, "format": "gift", "_apply": "1"}),
    )
    timed("  the worker", lambda: call_command("db_worker", batch=True, verbosity=0))
    print(f"  {Task.objects.latest('created_at').outcome}")


if __name__ == "__main__":
    main()
