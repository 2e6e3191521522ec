"""Do the pages a teacher and a student open stay as fast in a big school as in a small one?

    .venv/bin/python bench/scale.py

Uses two scratch PostgreSQL databases, dropped and recreated on every run: the one
DATABASE_URL names (by default postgres://postgres@127.0.0.1:5432/orbit_quiz_scale), which
ends up holding the full school, and a copy of it at a tenth, "<name>_tenth". Their name
must contain "scale" or "bench", so that a real database is never dropped.

1. generate a tenth of a school (1,000 students, 30 classes, 100,000 answers);
2. copy it and grow the copy to full size (10,000 students, 300 classes, 1,000,000
   answers): the same first class, assignment and student, among ten times as many rows;
3. time the gradebook, statistics and dashboard pages through Django's test client, as
   the class's teacher and its first student, in both schools by turns (so that a burst
   of load on a shared machine slows both alike), and print the median of each.

A page that reads only its own class through indexes takes about as long in both (ratio
near 1); one that scans every row of the school takes about ten times as long.
"""

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/orbit_quiz_scale")

import django  # noqa: E402
import psycopg  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "21"))  # timed requests per page and size
TARGET = 3.0  # the full school may make a page at most this much slower than the tenth
SEED = 7
# A smaller school for trying the script out: BENCH_SIZE=0.01 makes 100 students at full size.
SIZE = float(os.environ.get("BENCH_SIZE", "1"))


def main():
    url = os.environ["DATABASE_URL"]
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench/scale.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    full = parts.path.lstrip("/")
    if "scale" not in full and "bench" not in full:
        sys.exit(f"Refusing to drop {full!r}: name a scratch database *scale* or *bench*.")
    tenth = f"{full}_tenth"
    maintenance = urlunsplit(parts._replace(path="/postgres"))

    with psycopg.connect(maintenance, autocommit=True) as server:
        for name in (full, tenth):
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{tenth}"')

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS.append("testserver")
    # Pages link static files by their hashed names, which only collectstatic writes.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    use_database(tenth)
    call_command("migrate", verbosity=0)
    generated = {"tenth": generate(0.1 * SIZE)}
    sizes = {"tenth": school_size()}
    use_database(None)  # a database can be copied only while nobody is connected to it
    with psycopg.connect(maintenance, autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{full}" TEMPLATE "{tenth}"')
    use_database(full)
    generated["full"] = generate(0.9 * SIZE)  # the other nine tenths, next to the first
    sizes["full"] = school_size()
    for label in ("tenth", "full"):
        print(f"{label}: {sizes[label]}; generated in {generated[label]:.0f} s")

    pages = {label: pages_of(name) for label, name in [("tenth", tenth), ("full", full)]}
    report(measure(pages, {"tenth": tenth, "full": full}))


def use_database(name):
    """Point Django's connection at another database (None: just disconnect)."""
    from django.db import connection

    connection.close()
    if name:
        connection.settings_dict["NAME"] = name


def generate(scale: float) -> float:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("generate_school", scale=scale, seed=SEED)
    elapsed = time.perf_counter() - started
    # Fresh planner statistics, as autovacuum keeps them on a live database.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return elapsed


def school_size() -> str:
    from django.contrib.auth import get_user_model

    from classrooms.models import Classroom
    from quizzes.models import Attempt, Response

    return (
        f"{get_user_model().objects.filter(is_staff=False).count()} students, "
        f"{Classroom.objects.count()} classes, {Attempt.objects.count()} attempts, "
        f"{Response.objects.count()} responses"
    )


def pages_of(database: str) -> dict:
    """Each page's logged-in client and URL, for the first generated class."""
    from django.test import Client
    from django.urls import reverse

    from classrooms.models import Classroom

    use_database(database)
    classroom = Classroom.objects.filter(name__startswith="Generated ").order_by("pk").first()
    teacher = classroom.teachers.get()
    student = classroom.students.order_by("pk").first()
    # The first assignment closed weeks ago: every student who took it has submitted.
    assignment = classroom.assignments.order_by("due_at").first()
    urls = {
        "gradebook (admin)": (
            teacher,
            reverse("admin:classrooms_classroom_gradebook", args=[classroom.pk]),
        ),
        "statistics (admin)": (
            teacher,
            reverse("admin:classrooms_assignment_statistics", args=[assignment.pk]),
        ),
        "student dashboard": (student, reverse("classrooms:dashboard")),
    }
    pages = {}
    for page, (user, url) in urls.items():
        client = Client()
        client.force_login(user)  # the session lives in this database
        pages[page] = (client, url)
    return pages


class SqlTimer:
    """Counts and times every query the connection runs (an execute wrapper)."""

    def __init__(self):
        self.queries, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def measure(pages: dict, databases: dict) -> dict:
    """{size: {page: (median ms, median SQL ms, queries)}} over REQUESTS requests each."""
    from django.db import connection

    runs = {label: {page: [] for page in pages[label]} for label in pages}
    for round_ in range(REQUESTS + 2):  # the first two warm templates and caches
        for label, database in databases.items():
            use_database(database)
            for page, (client, url) in pages[label].items():
                timer = SqlTimer()
                with connection.execute_wrapper(timer):
                    started = time.perf_counter()
                    response = client.get(url)
                    elapsed = time.perf_counter() - started
                assert response.status_code == 200, (label, url, response.status_code)
                if round_ >= 2:
                    runs[label][page].append((elapsed * 1000, timer.seconds * 1000, timer.queries))
    return {
        label: {
            page: (
                statistics.median(ms for ms, _sql, _n in run),
                statistics.median(sql for _ms, sql, _n in run),
                max(n for _ms, _sql, n in run),
            )
            for page, run in by_page.items()
        }
        for label, by_page in runs.items()
    }


def report(results: dict) -> None:
    print()
    print(
        f"{'page':<20} {'queries':>8} {'tenth ms':>9} {'full ms':>9} {'full/tenth':>11}"
        f"   {'of which SQL ms, tenth → full':>30}"
    )
    worst = 0.0
    for page, (tenth_ms, tenth_db, tenth_queries) in results["tenth"].items():
        full_ms, full_db, full_queries = results["full"][page]
        ratio = full_ms / tenth_ms
        worst = max(worst, ratio)
        queries = str(full_queries)
        if full_queries != tenth_queries:
            queries = f"{tenth_queries}→{full_queries}"
        print(
            f"{page:<20} {queries:>8} {tenth_ms:>9.1f} {full_ms:>9.1f} {ratio:>10.2f}x"
            f"   {tenth_db:>18.1f} → {full_db:.1f}"
        )
    verdict = "flat" if worst < TARGET else "grows with the school"
    print(f"\nWorst ratio {worst:.2f}x (target under {TARGET:.0f}x): {verdict}.")


if __name__ == "__main__":
    main()
