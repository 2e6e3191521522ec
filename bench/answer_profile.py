"""Where an answer's time goes inside the server's process: the rung bench/load.py can't show.

    .venv/bin/python bench/answer_profile.py                      # PostgreSQL and Redis
    .venv/bin/python bench/answer_profile.py --database sqlite

bench/load.py measures each layer of an answer over HTTP, where the server's Python, the
database's own process and the load client share the same cores. This runs the same views
in this one process through Django's request handler (no HTTP, no gunicorn; CSRF checked as
in production), one request at a time, so each figure is the server's own time per request:
its Python plus waiting for the database and the cache. Then it profiles the answer view and
splits its Python into parts. Same set-up as bench/load.py: a fresh database (dropped
afterwards), the shipped fixtures, one student answering the shipped review quiz.
"""

import argparse
import cProfile
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import Database, SqliteDatabase, form_for, prepare  # noqa: E402

# The session and the account are read lazily, when the attempt's query first asks who
# the student is: that part is taken out of the attempt's.
SESSION_AND_ACCOUNT = [
    ("sessions/backends/base.py", "_get_session"),
    ("auth/middleware.py", "get_user"),
]
# The answer view's parts, each the cumulative time of the functions named (file, function).
PARTS = [
    ("the session and the account", SESSION_AND_ACCOUNT),
    ("reading the attempt (ORM query, database)", [("quizzes/views.py", "get_own_attempt")]),
    ("the transaction (lock, upsert, commit)", [("quizzes/models.py", "save_answer")]),
    ("the question (this process's copy)", [("quizzes/content_cache.py", "question_at")]),
    ("reading the posted answer", [("quizzes/forms.py", "read_answer")]),
    ("rendering the reply", [("django/shortcuts.py", "render")]),
]
# Across all of the above: the ORM's Python, and waiting for the database.
ACROSS = [
    ("  of which the ORM building querysets", [("models/query.py", "_filter_or_exclude")]),
    ("  of which the ORM compiling them to SQL", [("sql/compiler.py", "as_sql")]),
    ("  of which waiting for the database", [("backends/utils.py", "_execute")]),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="", help="as bench/load.py's --redis")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per view")
    return parser.parse_args()


def signed_in_client(username):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username=username))
    client.get("/dashboard/")  # sets the CSRF cookie
    return client


def csrf(client) -> dict:
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def per_request(call, count: int) -> float:
    for _ in range(min(count, 100)):  # warm: connections, the process's copies
        call()
    started = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - started) / count


def cumulative(stats: pstats.Stats, wanted) -> float:
    return sum(
        cumtime
        for (filename, _line, function), (_cc, _nc, _tt, cumtime, _callers) in stats.stats.items()
        for path, name in wanted
        if function == name and filename.endswith(path)
    )


def main():
    args = parse_args()
    sqlite = args.database == "sqlite"
    args.redis = args.redis or ("none" if sqlite else "redis://127.0.0.1:6379/0")
    tmp = Path(tempfile.mkdtemp(prefix="orbit-profile-"))
    # psycopg's pool, as the production server has it (one thread here: one connection).
    os.environ["DATABASE_POOL_SIZE"] = "1"
    database = (SqliteDatabase if sqlite else Database)(args.server, args.redis, tmp)
    try:
        assignment, questions, usernames = prepare(1, "china-us-space-review")
        run(args, assignment, questions, usernames[0])
    finally:
        database.drop()
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, assignment, questions, username):
    from django.conf import settings

    from quizzes.models import Attempt

    settings.ALLOWED_HOSTS = ["testserver"]
    client = signed_in_client(username)
    client.post(f"/assignments/{assignment}/start/", **csrf(client))
    attempt = Attempt.objects.get()
    rng = random.Random(1)
    # A typed question: its answer is the same few fields however the page orders choices.
    number, question = next(
        (n, q) for n, q in enumerate(questions, 1) if q.kind in ("numeric", "short_text")
    )
    path = f"{attempt.get_absolute_url()}questions/{number}/"
    client.get(path)
    htmx = {"HTTP_HX_REQUEST": "true"} | csrf(client)

    def answer():
        reply = client.post(path, form_for(attempt, question, rng), **htmx)
        assert reply.status_code == 200 and reply.has_header("X-Answer-Saved"), reply

    ladder = [
        ("/livez: no session, no database", lambda: client.get("/livez")),
        ("+ the session", lambda: client.get("/bench/session/")),
        ("+ the logged-in user", lambda: client.get("/bench/user/")),
        ("+ the attempt (1 query)", lambda: client.get("/bench/attempt/")),
        ("+ a locked write", lambda: client.post("/bench/write/", **csrf(client))),
        ("saving an answer", answer),
    ]
    print(f"{args.database}; cache and sessions: {args.redis}; {args.requests} requests each")
    print("server time per request, in this process (no HTTP):")
    times = {}
    for label, call in ladder:
        times[label] = per_request(call, args.requests)
        print(f"  {label:<40} {times[label] * 1000:6.2f} ms")
    gap = times["saving an answer"] - times["+ a locked write"]
    print(f"  the answer over the locked write: {gap * 1000:+.2f} ms")

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        answer()
    profile.disable()
    stats = pstats.Stats(profile)
    total = cumulative(stats, [("django/test/client.py", "request")])
    print("the answer's time by part (profiled: the profiler slows Python, so shares only):")
    shares = {label: cumulative(stats, wanted) / total for label, wanted in PARTS + ACROSS}
    shares["reading the attempt (ORM query, database)"] -= shares["the session and the account"]
    shares["the rest: middleware, URL routing, headers"] = 1 - sum(
        shares[label] for label, _wanted in PARTS
    )
    for label, share in shares.items():
        print(f"  {label:<45} {share:6.0%}")


if __name__ == "__main__":
    main()
