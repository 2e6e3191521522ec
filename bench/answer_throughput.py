"""How many answers a second a class can save at once, on SQLite or PostgreSQL.

Each thread is one student with an open attempt, answering every question of the
review quiz through the real view (Django's test client, so no HTTP server is
needed). Run it against a scratch database:

    export DATABASE_URL=sqlite:////tmp/bench.sqlite3
    .venv/bin/python bench/answer_throughput.py
    BENCH_SQLITE_DEFAULTS=1 .venv/bin/python bench/answer_throughput.py

The second line drops our WAL / BEGIN IMMEDIATE settings to show what they buy.
It prints answers per second, and how many answers failed (for example with
"database is locked").
"""

import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

STUDENTS = int(os.environ.get("BENCH_STUDENTS", "30"))


def main():
    django.setup()
    settings.ALLOWED_HOSTS.append("testserver")
    if os.environ.get("BENCH_SQLITE_DEFAULTS"):
        settings.DATABASES["default"]["OPTIONS"] = {"timeout": 5}
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.factories import UserFactory
    from quizzes.models import Attempt, Quiz

    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    quiz = Quiz.objects.get(slug="china-us-space-review")
    questions = list(quiz.questions.prefetch_related("choices"))
    students = [UserFactory(username=f"bench-{n}") for n in range(STUDENTS)]
    attempts = [
        Attempt.objects.create(quiz=quiz, user=student, max_score=quiz.max_score)
        for student in students
    ]
    connection.close()

    failures = []
    barrier = threading.Barrier(STUDENTS)

    def student_answers(student, attempt):
        client = Client()
        client.force_login(student)
        barrier.wait()
        for number, question in enumerate(questions, 1):
            url = reverse("quizzes:attempt_question", args=[attempt.public_id, number])
            try:
                response = client.post(url, answer_for(attempt, question), HTTP_HX_REQUEST="true")
                if response.status_code >= 400:
                    failures.append(response.status_code)
            except Exception as error:  # noqa: BLE001 - we count every kind of failure
                failures.append(repr(error))
        connection.close()

    threads = [
        threading.Thread(target=student_answers, args=pair)
        for pair in zip(students, attempts, strict=True)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    total = STUDENTS * len(questions)
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    mode = "sqlite defaults" if os.environ.get("BENCH_SQLITE_DEFAULTS") else "project settings"
    print(f"{engine} ({mode}): {STUDENTS} students x {len(questions)} questions")
    print(f"  {total / elapsed:.0f} answers/s, {elapsed:.2f} s in all, {len(failures)} failed")
    if failures:
        print(f"  first failure: {failures[0]}")


def answer_for(attempt, question):
    """Some answer of the right shape for the question's kind, as the page posts it."""
    from quizzes.forms import answer_data

    answer = question.kind_rules.sample_answers(question.answer_key())[0]
    return answer_data(attempt, question, answer)


if __name__ == "__main__":
    main()
