"""A class list of 300 with the site's real password hasher: how long the teacher's request
takes (target: under 1 s, since the accounts are made in the background) and how long the
worker takes to make them.

    .venv/bin/python bench/roster_import.py          # about three minutes on 2 cores

A scratch in-memory SQLite database; the request goes through Django's test client, the
worker is `manage.py db_worker --batch`, which runs the tasks waiting and stops.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

STUDENTS = 300


def main() -> None:
    from accounts.factories import TeacherFactory
    from classrooms.factories import ClassroomFactory
    from classrooms.models import Enrollment

    setup_test_environment()  # the test client's host name
    call_command("migrate", verbosity=0)
    teacher = TeacherFactory(username="bench-teacher")
    classroom = ClassroomFactory(name="Bench class", teachers=[teacher])
    client = Client()
    client.force_login(teacher)
    roster = "name,email\n" + "".join(
        f"Student {n},student{n}@example.org\n" for n in range(1, STUDENTS + 1)
    )
    url = f"/admin/classrooms/classroom/{classroom.pk}/roster/"
    started = time.perf_counter()
    reply = client.post(url, {"file": SimpleUploadedFile("class.csv", roster.encode())})
    answered = time.perf_counter() - started
    assert reply.status_code == 302, reply.status_code
    started = time.perf_counter()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval=0", verbosity=0)
    worked = time.perf_counter() - started
    made = Enrollment.objects.filter(classroom=classroom).count()
    print(f"{STUDENTS} students, hasher {django.conf.settings.PASSWORD_HASHERS[0]}")
    verdict = "met" if answered < 1 else "NOT met"
    print(f"request answered in {answered * 1000:.0f} ms (target under 1000 ms: {verdict})")
    print(f"worker made {made} accounts in {worked:.1f} s ({worked / made * 1000:.0f} ms each)")


if __name__ == "__main__":
    main()
