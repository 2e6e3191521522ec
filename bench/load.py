"""A class taking a quiz at once, over HTTP, against the production server (bin/serve's config).

    .venv/bin/python bench/load.py --students 100
    .venv/bin/python bench/load.py --students 100 --configs 2x8,3x4,4x4   # workers x threads
    .venv/bin/python bench/load.py --students 100 --database sqlite       # the embedded default

It creates a fresh PostgreSQL database (dropped afterwards; --keep keeps it), or with
`--database sqlite` a SQLite file in WAL mode served by one gunicorn process (as the
embedded default runs: one machine, cache and sessions in the database), migrates, loads
the shipped fixtures and collects static files, creates N students in a class with a
deferred-feedback assignment of one shipped quiz, and starts gunicorn with
quizsite.gunicorn_conf (DJANGO_DEBUG off, psycopg's pool sized to the threads). Then, from this
process (asyncio and httpx, one client per student), all N students at once: log in, start the
attempt, answer every question (POSTs like htmx sends them: HX-Request and the page's CSRF
token), submit. Each phase starts when every student has finished the one before, as when a
teacher says "start now", so answering is measured without logins' password hashing mixed in.

After the run it measures /livez (no database, no session) with the same number of clients as
the ceiling this machine and client can reach, checks in the database that every answer that
got a success response is stored exactly once with the value sent, and weighs the student's
quiz page (HTML, CSS and JS as served, with Accept-Encoding: gzip, br).
"""

import argparse
import asyncio
import gzip
import logging
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import httpx

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "orbit-load-benchmark"
STEPS = ("login", "start", "answer", "submit", "page views")
# Issue #19's, in one run: answers/s against /livez and against the locked-write rung,
# answer p95 against /livez p95, and the question page's weight.
TARGETS = {"ratio": 0.25, "write_ratio": 0.9, "p95": 6.0, "page_kb": 40}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--quiz", default="china-us-space-review", help="slug of a shipped quiz")
    parser.add_argument(
        "--configs",
        default="",
        help="gunicorn workers x threads to compare, e.g. 2x8,4x4 (default: gunicorn_conf's)",
    )
    parser.add_argument(
        "--database",
        choices=["postgresql", "sqlite"],
        default="postgresql",
        help="sqlite: a file of the run's own, one server process, no Redis unless --redis",
    )
    parser.add_argument(
        "--server",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server URL, without a database name",
    )
    parser.add_argument(
        "--redis",
        default="",
        help="REDIS_URL for cache and sessions, as a scaled-out site runs; 'none' keeps both "
        "in the database (default: Redis at 127.0.0.1:6379/0 with PostgreSQL, none with SQLite)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


# --- setting up -------------------------------------------------------------------------


class Database:
    """A fresh PostgreSQL database of our own, and Django in this process pointed at it."""

    def __init__(self, server_url: str, redis_url: str, tmp: Path):
        self.name = f"orbit_load_{uuid.uuid4().hex[:10]}"
        self.url = self.create(server_url, tmp)
        # Settings as they are, with static files collected into a temporary directory,
        # and the site's URLs plus bench/layers.py's views.
        (tmp / "load_settings.py").write_text(
            "from quizsite.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(tmp / 'static')!r}\n"
            "ROOT_URLCONF = 'layers'\n"
        )
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))},
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "load_settings",
            "DJANGO_DEBUG": "false",
            "PYTHONPATH": os.pathsep.join([str(tmp), str(BASE_DIR), str(BASE_DIR / "bench")]),
            # Keys of this run only: another run's cached questions may share these ids.
            "CACHE_KEY_PREFIX": self.name,
        }
        if redis_url != "none":
            self.env["REDIS_URL"] = redis_url
        self.env.pop("DATABASE_POOL_SIZE", None)  # gunicorn_conf sizes the pool to its threads
        os.environ.update(self.env)
        sys.path[:0] = [str(tmp), str(BASE_DIR), str(BASE_DIR / "bench")]

        import django

        django.setup()
        # The project's logging prints every client request at INFO; only the report here.
        logging.getLogger("httpx").setLevel(logging.WARNING)

    def create(self, server_url: str, tmp: Path) -> str:
        import psycopg

        parts = urlsplit(server_url)
        self.admin = psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
            autocommit=True,
        )
        self.admin.execute(f'CREATE DATABASE "{self.name}"')
        return f"{server_url.rstrip('/')}/{self.name}"

    def drop(self):
        from django.db import connections

        connections.close_all()
        self.admin.execute(f'DROP DATABASE "{self.name}" WITH (FORCE)')
        self.admin.close()


class SqliteDatabase(Database):
    """A SQLite file of the run's own (the site's settings put it in WAL mode)."""

    def create(self, server_url: str, tmp: Path) -> str:
        self.path = tmp / f"{self.name}.sqlite3"
        return f"sqlite:///{self.path}"

    def drop(self):
        from django.db import connections

        connections.close_all()  # the file goes with the run's temporary directory


def prepare(students: int, quiz_slug: str):
    """What bin/serve does before serving, then a class with the quiz assigned."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from classrooms.models import Assignment, Classroom, Enrollment
    from quizzes.models import Quiz

    call_command("migrate", interactive=False, verbosity=0)
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    quiz = Quiz.objects.get(slug=quiz_slug)
    User = get_user_model()
    # One hash for everyone: hashing N passwords here would only slow the set-up down.
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        User(username=f"load-{n:04d}", password=password) for n in range(students + 1)
    )
    classroom = Classroom.objects.create(name="Load benchmark class")
    Enrollment.objects.bulk_create(Enrollment(classroom=classroom, student=u) for u in users)
    assignment = Assignment.objects.create(
        classroom=classroom,
        quiz=quiz,
        feedback_mode=Assignment.FeedbackMode.DEFERRED,
        attempts_allowed=None,  # each server configuration gets a fresh attempt per student
    )
    questions = list(quiz.questions.prefetch_related("choices"))
    connection.close()
    return assignment.pk, questions, [u.username for u in users]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CONFIG_PRINT = "from quizsite import gunicorn_conf as c; print(c.workers, c.threads)"


class Gunicorn:
    def __init__(self, env: dict, workers: int | None, threads: int | None, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**env, "PORT": str(self.port)}
        if workers:
            env["WEB_CONCURRENCY"] = str(workers)
        if threads:
            env["GUNICORN_THREADS"] = str(threads)
        # The configuration as gunicorn will read it, defaults included.
        self.workers, self.threads = map(
            int,
            subprocess.check_output(
                [sys.executable, "-c", CONFIG_PRINT], cwd=BASE_DIR, env=env, text=True
            ).split(),
        )
        with log.open("a") as out:
            self.process = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "--config",
                    "python:quizsite.gunicorn_conf",
                    "quizsite.wsgi",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        sys.exit("gunicorn did not answer /healthz within 60 s")

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- the students -----------------------------------------------------------------------


@dataclass
class Record:
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    errors: list = field(default_factory=list)
    # (attempt public id, question) -> the form of the last acknowledged answer
    acknowledged: dict = field(default_factory=dict)
    attempts: list = field(default_factory=list)
    retries: int = 0  # GETs retried on a keep-alive connection the server had closed
    answer_phase: float = 0.0


def form_for(attempt, question, rng: random.Random) -> dict:
    """What the browser posts for some answer to the question (values as its page names
    them: the attempt's item tokens)."""
    from quizzes.forms import answer_data

    answer = question.kind_rules.random_answer(question.answer_key(), rng)
    return answer_data(attempt, question, answer)


def stored_form(attempt, question, form: dict):
    """The answer as the server should store it, read with the server's own code."""
    from django.http import QueryDict

    from quizzes.forms import read_answer

    data = QueryDict(mutable=True)
    for name, value in form.items():
        data.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return read_answer(attempt, question, data)


def attempt_named(public_id: str):
    """The attempt as far as its page's item tokens go: they depend on its public id alone."""
    from quizzes.models import Attempt

    return Attempt(public_id=uuid.UUID(public_id))


class Student:
    def __init__(self, username: str, url: str, record: Record, seed: int):
        self.username = username
        self.record = record
        self.rng = random.Random(seed)
        self.client = httpx.AsyncClient(
            base_url=url,
            headers={"Origin": url},
            timeout=120,
            limits=httpx.Limits(max_connections=1),
        )
        self.csrf_token = ""
        self.attempt_url = ""

    async def request(self, step, method, path, expect, **kwargs) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            reply = await self.client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            self.record.errors.append(f"{step} {path}: {error!r}")
            return None
        self.record.latencies[step].append(time.perf_counter() - started)
        if reply.status_code != expect:
            self.record.errors.append(f"{step} {path}: HTTP {reply.status_code}")
            return None
        if found := re.search(r'"X-CSRFToken": "([^"]+)"', reply.text):
            self.csrf_token = found[1]
        return reply

    async def get(self, path) -> httpx.Response | None:
        for _hop in range(5):
            started = time.perf_counter()
            try:
                reply = await self.client.get(path)
            except httpx.RemoteProtocolError:
                # The server closed a keep-alive connection that sat idle (keepalive = 5 s)
                # while the student waited for the class; browsers retry such a GET at once.
                self.record.retries += 1
                try:
                    reply = await self.client.get(path)
                except httpx.HTTPError as error:
                    self.record.errors.append(f"GET {path}: {error!r}")
                    return None
            except httpx.HTTPError as error:
                self.record.errors.append(f"GET {path}: {error!r}")
                return None
            self.record.latencies["page views"].append(time.perf_counter() - started)
            if reply.is_redirect:
                path = reply.headers["Location"]
                continue
            if reply.status_code != 200:
                self.record.errors.append(f"GET {path}: HTTP {reply.status_code}")
                return None
            if found := re.search(r'"X-CSRFToken": "([^"]+)"', reply.text):
                self.csrf_token = found[1]
            return reply
        self.record.errors.append(f"GET {path}: too many redirects")
        return None

    async def log_in(self) -> bool:
        if await self.get("/accounts/login/") is None:
            return False
        data = {"username": self.username, "password": PASSWORD}
        reply = await self.request(
            "login", "POST", "/accounts/login/", 302, data=data, headers=self.csrf()
        )
        return reply is not None

    def csrf(self, htmx: bool = False) -> dict:
        headers = {"X-CSRFToken": self.csrf_token}
        if htmx:
            headers |= {"HX-Request": "true", "HX-Trigger": "answer-form"}
        return headers

    async def start(self, assignment: int) -> bool:
        if await self.get("/dashboard/") is None:
            return False
        path = f"/assignments/{assignment}/start/"
        reply = await self.request("start", "POST", path, 302, headers=self.csrf())
        if reply is None:
            return False
        self.attempt_url = reply.headers["Location"]
        self.record.attempts.append(self.attempt_url)
        # The browser follows to the first question, which carries the CSRF token htmx sends.
        return await self.get(self.attempt_url) is not None

    async def answer_all(self, questions) -> None:
        public_id = self.attempt_url.strip("/").rsplit("/", 1)[-1]
        for number, question in enumerate(questions, 1):
            path = f"{self.attempt_url}questions/{number}/"
            form = form_for(attempt_named(public_id), question, self.rng)
            headers = self.csrf(htmx=True) | {"HX-Current-URL": str(self.client.base_url) + path}
            reply = await self.request("answer", "POST", path, 200, data=form, headers=headers)
            if reply is not None:
                # Checked after the run: reading it here would take CPU from the server.
                self.record.acknowledged[(public_id, question)] = form

    async def submit(self) -> None:
        if await self.get(f"{self.attempt_url}summary/") is None:
            return
        path = f"{self.attempt_url}submit/"
        await self.request("submit", "POST", path, 302, headers=self.csrf())


async def run_class(url, usernames, assignment, questions, record, students=None):
    """Every student through every phase, all at once within each phase."""
    if students is None:
        students = [Student(name, url, record, seed) for seed, name in enumerate(usernames)]
        await asyncio.gather(*(s.log_in() for s in students))
    else:
        for student in students:  # same sessions (shared by every server), new server
            student.record = record
            student.client.base_url = url
            student.client.headers["Origin"] = url
    await asyncio.gather(*(s.start(assignment) for s in students))
    started = time.perf_counter()
    await asyncio.gather(*(s.answer_all(questions) for s in students))
    record.answer_phase = time.perf_counter() - started
    await asyncio.gather(*(s.submit() for s in students))
    return students


async def ceiling(url: str, clients: int, requests_each: int):
    """/livez from `clients` clients at once: what server and client manage with no app work."""
    latencies, errors = [], []

    async def one(client):
        for _ in range(requests_each):
            started = time.perf_counter()
            try:
                reply = await client.get("/livez")
                if reply.status_code != 200:
                    errors.append(reply.status_code)
            except httpx.HTTPError as error:
                errors.append(repr(error))
            latencies.append(time.perf_counter() - started)

    pool = [
        httpx.AsyncClient(base_url=url, timeout=120, limits=httpx.Limits(max_connections=1))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    await asyncio.gather(*(one(c) for c in pool))
    elapsed = time.perf_counter() - started
    await asyncio.gather(*(c.aclose() for c in pool))
    return len(latencies) / elapsed, latencies, errors


async def layer_ladder(students, requests_each: int) -> list[tuple[str, float, list]]:
    """/livez, then each of bench/layers.py's views, from every student at once, as (layer,
    requests/s, errors): what an answer's parts cost on this server."""
    from layers import LAYERS

    # Connections that sat idle through the checks reconnect here, not in the first rung.
    await asyncio.gather(
        *(student.client.get("/livez") for student in students), return_exceptions=True
    )
    ladder = []
    for method, path, layer in LAYERS:
        errors = []

        async def one(student, method=method, path=path, errors=errors):
            for _ in range(requests_each):
                try:
                    reply = await student.client.request(method, path, headers=student.csrf())
                    if reply.status_code != 200:
                        errors.append(reply.status_code)
                except httpx.HTTPError as error:
                    errors.append(repr(error))

        started = time.perf_counter()
        await asyncio.gather(*(one(student) for student in students))
        rate = len(students) * requests_each / (time.perf_counter() - started)
        ladder.append((layer, rate, errors))
    return ladder


async def page_weight(url: str, username: str, assignment: int) -> list[tuple[str, int, int, str]]:
    """The quiz page a student sees, as (what, bytes sent, bytes uncompressed, encoding)."""
    student = Student(username, url, Record(), 0)
    await student.log_in()
    await student.start(assignment)
    accept = {"Accept-Encoding": "gzip, br"}
    weights = []

    async def weigh(what, path):
        async with student.client.stream("GET", path, headers=accept) as reply:
            sent = b"".join([chunk async for chunk in reply.aiter_raw()])
        encoding = reply.headers.get("Content-Encoding", "none")
        body = {"gzip": gzip.decompress, "br": brotli.decompress}.get(encoding, bytes)(sent)
        weights.append((what, len(sent), len(body), encoding))
        return body.decode("utf-8", "replace")

    html = await weigh("HTML", f"{student.attempt_url}questions/1/")
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        await weigh(f"CSS {href.rsplit('/', 1)[-1]}", href)
    for src in re.findall(r'<script src="([^"]+)"', html):
        await weigh(f"JS {src.rsplit('/', 1)[-1]}", src)
    await student.client.aclose()
    return weights


# --- checking and reporting -------------------------------------------------------------


def lost_answers(record: Record) -> tuple[int, int]:
    """(answers acknowledged but missing or different in the database, duplicate rows)."""
    from django.db import connection
    from django.db.models import Count

    from quizzes.models import Response

    stored = defaultdict(list)
    for public_id, question_id, answer in Response.objects.values_list(
        "attempt__public_id", "question_id", "answer"
    ):
        stored[(str(public_id), question_id)].append(answer)
    lost = sum(
        1
        for (public_id, question), form in record.acknowledged.items()
        if stored.get((public_id, question.pk))
        != [stored_form(attempt_named(public_id), question, form)]
    )
    duplicates = (
        Response.objects.values("attempt", "question")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    connection.close()
    return lost, duplicates


def unsubmitted(record: Record) -> int:
    from django.db import connection

    from quizzes.models import Attempt

    ids = [url.strip("/").rsplit("/", 1)[-1] for url in record.attempts]
    count = Attempt.objects.filter(public_id__in=ids, submitted_at__isnull=True).count()
    connection.close()
    return count


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f}"


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def report(config, students, questions, record, ceiling_result, lost, duplicates, unsent):
    rate, livez, livez_errors = ceiling_result
    answers = len(record.latencies["answer"])
    print(
        f"\n== gunicorn {config.workers} workers x {config.threads} threads, {students} students =="
    )
    print(f"{'step':<11} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for step in STEPS:
        values = record.latencies[step]
        if values:
            print(
                f"{step:<11} {len(values):>8} {ms(percentile(values, 50))} "
                f"{ms(percentile(values, 95))} {ms(percentile(values, 99))}"
            )
    throughput = answers / record.answer_phase if record.answer_phase else 0
    answer_p95 = percentile(record.latencies["answer"], 95)
    livez_p95 = percentile(livez, 95)
    print(
        f"answers: {answers} of {students * len(questions)} in {record.answer_phase:.1f} s "
        f"= {throughput:.0f} answers/s"
    )
    print(
        f"/livez ceiling ({students} clients): {rate:.0f} requests/s, "
        f"p50 {percentile(livez, 50) * 1000:.0f} ms, p95 {livez_p95 * 1000:.0f} ms"
        + (f", {len(livez_errors)} errors" if livez_errors else "")
    )
    ratio = throughput / rate if rate else 0
    p95_ratio = answer_p95 / livez_p95 if livez_p95 else float("inf")
    print(
        f"answer throughput / ceiling: {ratio:.0%} "
        f"(target >= {TARGETS['ratio']:.0%}: {verdict(ratio >= TARGETS['ratio'])})"
    )
    print(
        f"answer p95 / ceiling p95: {p95_ratio:.1f}x "
        f"(target <= {TARGETS['p95']:.0f}x: {verdict(p95_ratio <= TARGETS['p95'])})"
    )
    retried = f"; {record.retries} GETs retried on a closed keep-alive connection"
    print(
        f"errors: {len(record.errors)} (target 0: {verdict(not record.errors)})"
        + (retried if record.retries else "")
    )
    for error in record.errors[:5]:
        print(f"  {error}")
    print(f"lost answers: {lost} (target 0: {verdict(lost == 0)})")
    if duplicates or unsent:
        print(f"  duplicate responses: {duplicates}, attempts left unsubmitted: {unsent}")
    return {"ratio": ratio, "p95": p95_ratio, "throughput": throughput, "livez": rate}


def report_ladder(ladder, result):
    """Each layer's rate as a share of the ladder's own /livez (same clients, same moment)."""
    livez_rate = ladder[0][1]
    print(f"what an answer's parts cost ({'requests/s':>10}, share of /livez):")
    for layer, rate, errors in ladder:
        kinds = ", ".join(sorted({str(error) for error in errors}))
        failed = f"   {len(errors)} errors ({kinds})" if errors else ""
        print(f"  {layer:<48} {rate:6.0f} {rate / livez_rate:6.0%}{failed}")
    answer = "saving an answer (the answer phase above)"
    print(f"  {answer:<48} {result['throughput']:6.0f} {result['throughput'] / livez_rate:6.0%}")
    write_rate = ladder[-1][1]
    write_ratio = result["throughput"] / write_rate if write_rate else 0
    target = TARGETS["write_ratio"]
    print(
        f"answers / locked write: {write_ratio:.0%} "
        f"(target >= {target:.0%}: {verdict(write_ratio >= target)})"
    )


async def run_configs(args, configs, database, tmp, servers, prepared):
    """Each server configuration in turn, in one event loop: the students' clients (and
    their sessions) carry over from one server to the next."""
    assignment, questions, usernames = prepared
    weigher, usernames = usernames[-1], usernames[:-1]
    print(
        f"quiz {args.quiz}: {len(questions)} questions; {args.students} students; "
        f"{os.cpu_count()} CPUs; {args.database}; cache and sessions in "
        + ("the database" if args.redis == "none" else f"Redis ({args.redis})"),
        flush=True,
    )
    students, summary, weights = None, [], []
    for workers, threads in configs:
        server = Gunicorn(database.env, workers, threads, tmp / "gunicorn.log")
        servers.append(server)
        record = Record()
        students = await run_class(server.url, usernames, assignment, questions, record, students)
        livez = await ceiling(server.url, args.students, len(questions))
        # Django's database calls belong outside the event loop.
        lost, duplicates = await asyncio.to_thread(lost_answers, record)
        unsent = await asyncio.to_thread(unsubmitted, record)
        result = report(server, args.students, questions, record, livez, lost, duplicates, unsent)
        report_ladder(await layer_ladder(students, len(questions)), result)
        summary.append((server.workers, server.threads, result))
        if not weights:
            weights = await page_weight(server.url, weigher, assignment)
        server.stop()
    await asyncio.gather(*(student.client.aclose() for student in students))

    print("\nstudent quiz page (question 1), as served with Accept-Encoding: gzip, br:")
    for what, sent, size, encoding in weights:
        print(f"  {what:<32} {sent / 1024:6.1f} KB sent ({encoding}; {size / 1024:.1f} KB)")
    total = sum(sent for _what, sent, _size, _encoding in weights) / 1024
    print(
        f"  total transfer: {total:.1f} KB "
        f"(target < {TARGETS['page_kb']} KB: {verdict(total < TARGETS['page_kb'])})"
    )
    if len(summary) > 1:
        print("\nworkers x threads: answers/s, ratio to /livez, answer p95 / livez p95")
        for workers, threads, result in summary:
            print(
                f"  {workers} x {threads}: {result['throughput']:.0f} answers/s, "
                f"{result['ratio']:.0%}, {result['p95']:.1f}x"
            )


def main():
    args = parse_args()
    configs = [
        tuple(int(n) for n in spec.split("x")) for spec in args.configs.split(",") if spec
    ] or [(None, None)]
    sqlite = args.database == "sqlite"
    args.redis = args.redis or ("none" if sqlite else "redis://127.0.0.1:6379/0")
    if sqlite:
        # One process: SQLite's writers share one file lock, which threads of one process
        # queue for in order (more processes only add lock contention between them).
        configs = [(1, threads or None) for _workers, threads in configs]
    tmp = Path(tempfile.mkdtemp(prefix="orbit-load-"))
    database = (SqliteDatabase if sqlite else Database)(args.server, args.redis, tmp)
    servers = []
    print(f"preparing database {database.name} ...", flush=True)
    try:
        prepared = prepare(args.students, args.quiz)
        asyncio.run(run_configs(args, configs, database, tmp, servers, prepared))
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.stop()
        if args.keep:
            print(f"kept database {database.name}")
        else:
            database.drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
