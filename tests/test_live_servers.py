"""Real gunicorn servers (bin/serve's config) sharing one database, as in production.

Any server can carry on any student's attempt, because sessions and attempts live in the
database (or Redis), never in a process; and an answer a server acknowledged survives that
server being killed. pytest-django's test database can't be reached from other processes, so
these tests build their own: a temporary SQLite file, or a fresh PostgreSQL database when the
test run's DATABASE_URL is PostgreSQL.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import dj_database_url
import httpx
import psycopg
import pytest
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS_URL = os.environ.get("LIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
PASSWORD = "orbit-live-test-password"

# What a deploy does before serving (bin/migrate, then bin/serve's collectstatic), in one
# process.
PREPARE = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("loaddata", "lessons", "quizzes", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
"""
# Run inside `manage.py shell`: a six-question quiz on the shipped lesson, assigned to one
# class twice (deferred and immediate feedback), and students. Prints what tests need to answer.
SETUP = f"""
import json
from classrooms.models import Assignment, Classroom, Enrollment
from lessons.models import Lesson
from accounts.factories import UserFactory
from quizzes.factories import QuestionFactory, QuizFactory

lesson = Lesson.objects.get(slug="china-us-space-collaboration")
quiz = QuizFactory(lesson=lesson, title="Live servers", slug="live-servers")
questions = [
    QuestionFactory(quiz=quiz, key=f"live-{{n}}", position=n, evidence=lesson.sections.first())
    for n in range(1, 7)
]
classroom = Classroom.objects.create(name="Live servers class")
assignments = {{
    mode: Assignment.objects.create(classroom=classroom, quiz=quiz, feedback_mode=mode).pk
    for mode in ("deferred", "immediate")
}}
for name in ("ada", "ben", "cy", "dee", "eve", "fay"):
    student = UserFactory(username=name, password={PASSWORD!r})
    Enrollment.objects.create(classroom=classroom, student=student)
print(json.dumps({{
    "assignments": assignments,
    "choices": [
        {{c.text: c.pk for c in question.choices.all()}} for question in questions
    ],
}}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    """One database with the shipped lesson, and the environment app servers need to use it."""

    def __init__(self, tmp: Path, database_url: str, settings: str = ""):
        # The settings module as it is (plus any `settings` lines a test adds), with collected
        # static files in a temporary directory instead of the working tree's staticfiles/
        # (WhiteNoise serves from its manifest).
        static_root = tmp / "static"
        (tmp / "live_settings.py").write_text(
            "from quizsite.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(static_root)!r}\n{settings}"
        )
        self.tmp = tmp
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))},
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "live_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp), str(BASE_DIR)]),
        }

    def manage(self, *args: str, **env: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def shell(self, code: str, **env: str):
        """What `code`, run in `manage.py shell` (with `env` added), prints as JSON."""
        return json.loads(self.manage("shell", "--verbosity", "0", "--command", code, **env))


class Server:
    """A gunicorn master (by default one worker of two threads), in its own process group."""

    def __init__(self, site: Site, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = site.tmp / f"gunicorn-{self.port}.log"
        small = {"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2"}
        self.env = {**site.env, **small, **env, "PORT": str(self.port)}
        self.process = None
        self.start()

    def start(self):
        """Launch gunicorn; wait_ready() waits until it answers."""
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "--config", "python:quizsite.gunicorn_conf", "quizsite.wsgi"],
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group, so kill() reaches master and workers
            )

    def wait_ready(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self):
        """Crash: SIGKILL the master and its workers at once, with no chance to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGQUIT)  # quick shutdown: nothing to finish
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def live_database(tmp: Path):
    """The URL of a database of our own: a SQLite file in `tmp`, or when the test run's
    DATABASE_URL is PostgreSQL a fresh database on its server, dropped afterwards."""
    run_url = os.environ.get("DATABASE_URL", "")
    if not run_url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp / 'live.sqlite3'}"
        return
    name = f"orbit_live_{uuid.uuid4().hex[:12]}"
    config = dj_database_url.parse(run_url)
    admin = psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield run_url.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated database with the shipped lesson, a quiz assigned to a class, and students."""
    tmp = tmp_path_factory.mktemp("live")
    with live_database(tmp) as database_url:
        site = Site(tmp, database_url)
        site.data = site.shell(PREPARE + SETUP)
        yield site


@pytest.fixture
def start_servers(site):
    """start_servers(count, **env): that many app servers, started side by side and
    stopped after the test."""
    started = []

    def start(count: int, **env: str) -> list[Server]:
        servers = [Server(site, **env) for _ in range(count)]
        started.extend(servers)
        for server in servers:
            server.wait_ready()
        return servers

    yield start
    for server in started:
        server.stop()


class Tab:
    """A browser tab on one server: it posts like htmx does, with the page's CSRF token."""

    def __init__(self, server: Server, cookies=None):
        self.client = httpx.Client(
            base_url=server.url, cookies=cookies, headers={"Origin": server.url}, timeout=10
        )
        self.csrf_token = ""
        self.values = {}

    def get(self, path: str) -> httpx.Response:
        page = self.client.get(path, follow_redirects=True)
        if found := re.search(r'"X-CSRFToken": "([^"]+)"', page.text):
            self.csrf_token = found[1]
        return page

    def post(self, path: str, data: dict, htmx: bool = True) -> httpx.Response:
        headers = {"X-CSRFToken": self.csrf_token}
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(path, data=data, headers=headers)

    def log_in(self, username: str):
        self.get("/accounts/login/")
        reply = self.post(
            "/accounts/login/", {"username": username, "password": PASSWORD}, htmx=False
        )
        assert reply.status_code == 302, reply.text

    def start(self, assignment: int) -> str:
        """Start (or resume) the assignment; the attempt's URL."""
        self.get("/dashboard/")
        reply = self.post(f"/assignments/{assignment}/start/", {}, htmx=False)
        assert reply.status_code == 302
        return reply.headers["Location"]

    def answer(self, attempt_url: str, number: int, text: str) -> httpx.Response:
        """Pick the choice labelled `text`, by the value its question page gives it."""
        path = f"{attempt_url}questions/{number}/"
        return self.post(path, {"choice": self.choice_values(path)[text]})

    def choice_values(self, path: str) -> dict[str, str]:
        """Each choice's value on the question page, by its label (read once: the values
        stay the same for the whole attempt)."""
        if path not in self.values:
            page = self.client.get(path)
            options = re.findall(r'name="choice" value="([^"]+)"[^>]*> <span>([^<]*)<', page.text)
            self.values[path] = {label: value for value, label in options}
        return self.values[path]

    def read_choices(self, attempt_url: str, count: int):
        """Read the choices of the first `count` questions now, so answers go out at once."""
        for number in range(1, count + 1):
            self.choice_values(f"{attempt_url}questions/{number}/")


def stored_answers(site: Site, attempt_url: str, with_points: bool = False) -> dict:
    """The attempt's answers in the database by question number, or (answer, points) pairs."""
    public_id = attempt_url.strip("/").rsplit("/", 1)[-1]
    code = (
        "import json; from quizzes.models import Response\n"
        f"rows = Response.objects.filter(attempt__public_id={public_id!r})\n"
        "print(json.dumps([[r.question.position, r.answer, str(r.points)] for r in rows]))"
    )
    rows = site.shell(code)
    if with_points:
        return {number: (answer, Decimal(points)) for number, answer, points in rows}
    return {number: answer for number, answer, _points in rows}


@pytest.mark.parametrize("sessions", ["database", "redis"])
def test_attempt_continues_on_another_server(site, start_servers, sessions):
    extra = {"REDIS_URL": REDIS_URL} if sessions == "redis" else {}
    server_a, server_b = start_servers(2, **extra)
    tab_a = Tab(server_a)
    tab_a.log_in("ada" if sessions == "database" else "ben")
    attempt_url = tab_a.start(site.data["assignments"]["deferred"])
    for number in (1, 2, 3):
        assert tab_a.answer(attempt_url, number, "Right").status_code == 200

    # The same browser (same session cookie) reaches server B, e.g. behind a load balancer.
    tab_b = Tab(server_b, cookies=tab_a.client.cookies)
    page = tab_b.get(attempt_url)
    assert page.url.path == f"{attempt_url}questions/4/"
    assert "3 of 6 answered" in page.text
    assert tab_b.answer(attempt_url, 4, "Right").status_code == 200
    assert tab_b.answer(attempt_url, 5, "Right").status_code == 200
    assert tab_b.answer(attempt_url, 6, "Wrong").status_code == 200

    tab_a.get(f"{attempt_url}summary/")
    assert tab_a.post(f"{attempt_url}submit/", {}, htmx=False).status_code == 302
    results = tab_b.get(attempt_url)
    assert results.url.path == f"{attempt_url}results/"
    assert "You scored 5 out of 6." in results.text


def test_acknowledged_answers_survive_a_killed_server(site, start_servers):
    right = [choices["Right"] for choices in site.data["choices"]]
    [server] = start_servers(1)
    tab = Tab(server)
    tab.log_in("cy")
    attempt_url = tab.start(site.data["assignments"]["deferred"])
    tab.get(attempt_url)
    tab.read_choices(attempt_url, 6)

    acknowledged, sent = [], []
    three_saved = threading.Event()

    def answer_until_cut_off():
        # One tab saving answer after answer, as fast as the server acknowledges them.
        for number in range(1, 7):
            sent.append(number)
            try:
                reply = tab.answer(attempt_url, number, "Right")
            except httpx.TransportError:
                return
            if reply.is_success:
                acknowledged.append(number)
            if len(acknowledged) == 3:
                three_saved.set()

    student = threading.Thread(target=answer_until_cut_off)
    student.start()
    assert three_saved.wait(timeout=10)
    server.kill()
    student.join(timeout=10)
    assert 3 <= len(acknowledged) < 6

    server.start()
    server.wait_ready()
    stored = stored_answers(site, attempt_url)
    assert {number: stored.get(number) for number in acknowledged} == {
        number: right[number - 1] for number in acknowledged
    }
    # A request cut off mid-way may or may not have been saved; nothing unsent was.
    assert set(stored) <= set(sent)

    # Same session after the restart: the attempt resumes at the first unanswered question.
    page = tab.get(attempt_url)
    first_unanswered = min(set(range(1, 7)) - set(stored))
    assert page.url.path == f"{attempt_url}questions/{first_unanswered}/"
    assert f"{len(stored)} of 6 answered" in page.text
    for number in range(first_unanswered, 7):
        assert tab.answer(attempt_url, number, "Right").status_code == 200
    tab.get(f"{attempt_url}summary/")
    tab.post(f"{attempt_url}submit/", {}, htmx=False)
    assert "You scored 6 out of 6." in tab.get(attempt_url).text


class RedisServer:
    """A Redis of this test's own on a spare port, to stop and restart (never the machine's)."""

    def __init__(self, tmp: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            reason = "redis-server not found; install Debian's redis-server package"
            if os.environ.get("CI") == "true":
                pytest.fail(reason)
            pytest.skip(reason)
        self.command = [binary, "--port", str(free_port()), "--bind", "127.0.0.1"]
        self.command += ["--save", "", "--appendonly", "no", "--dir", str(tmp)]
        self.url = f"redis://127.0.0.1:{self.command[2]}/0"
        self.process = None
        self.start()

    def start(self):
        """Start it empty, as Redis comes back from a restart without persistence."""
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", int(self.command[2])), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def test_redis_restarting_or_away_signs_nobody_out_and_loses_no_answer(
    site, start_servers, tmp_path
):
    redis = RedisServer(tmp_path)
    try:
        [server] = start_servers(1, REDIS_URL=redis.url)
        right = [choices["Right"] for choices in site.data["choices"]]
        tab = Tab(server)
        tab.log_in("dee")
        attempt_url = tab.start(site.data["assignments"]["deferred"])
        tab.read_choices(attempt_url, 4)
        assert tab.answer(attempt_url, 1, "Right").headers["X-Answer-Saved"] == "1"

        redis.stop()  # away: the session and the question come from the database
        for number in (2, 3):
            reply = tab.answer(attempt_url, number, "Right")
            assert reply.status_code == 200 and reply.headers["X-Answer-Saved"] == "1"

        redis.start()  # back, and empty: what a restart or an eviction leaves
        assert tab.answer(attempt_url, 4, "Right").headers["X-Answer-Saved"] == "1"
        page = tab.get(attempt_url)
        assert page.url.path == f"{attempt_url}questions/5/"  # still signed in, resuming
        assert stored_answers(site, attempt_url) == {n: right[n - 1] for n in (1, 2, 3, 4)}
    finally:
        redis.stop()


@contextmanager
def database_write_lock(site):
    """Hold a lock that makes every answer wait (until the block ends), as a long migration
    or a stuck transaction would."""
    url = site.env["DATABASE_URL"]
    if url.startswith("sqlite"):
        locker = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")  # in WAL mode readers go on; writers wait
    else:
        locker = psycopg.connect(url.replace("postgres://", "postgresql://", 1))
        locker.execute("LOCK TABLE quizzes_attempt IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        locker.rollback()
        locker.close()


def test_probes_answer_while_every_thread_waits_for_the_database(site, start_servers):
    [server] = start_servers(1)  # one process of two threads
    tab = Tab(server)
    tab.log_in("eve")
    attempt_url = tab.start(site.data["assignments"]["deferred"])
    tab.get(attempt_url)
    tab.read_choices(attempt_url, 2)  # before the lock, which would hold these pages too
    replies = {}

    def answer(number):
        student = Tab(server, cookies=tab.client.cookies)
        student.csrf_token, student.values = tab.csrf_token, tab.values
        replies[number] = student.answer(attempt_url, number, "Right")

    with database_write_lock(site):
        students = [threading.Thread(target=answer, args=(n,)) for n in (1, 2)]
        for student in students:
            student.start()
        time.sleep(1)  # both answers now hold both request threads, waiting for the lock
        # A probe that waited behind them would time out here (and get the server restarted).
        live = httpx.get(f"{server.url}/livez", timeout=2)
        ready = httpx.get(f"{server.url}/healthz", timeout=2)
        assert all(student.is_alive() for student in students), "the answers did not wait"
    assert live.status_code == 200
    # SQLite lets the probe read; PostgreSQL's pool has no connection free within 0.5 s.
    assert ready.status_code == (200 if site.env["DATABASE_URL"].startswith("sqlite") else 503)
    for student in students:
        student.join(timeout=30)
    assert [replies[n].status_code for n in (1, 2)] == [200, 200]


# Run inside `manage.py shell`: a class list import of 20 students, enqueued as the import
# page does, by a teacher of a new class. Prints the import's id.
ROSTER_IMPORT = """
import json
from accounts.factories import TeacherFactory
from classrooms import tasks
from classrooms.models import Classroom, RosterImport

classroom = Classroom.objects.create(name="Roster class")
rows = [
    {"line": n, "first_name": "Student", "last_name": str(n), "email": f"roster{n}@example.org"}
    for n in range(2, 22)
]
roster_import = RosterImport.objects.create(
    classroom=classroom, started_by=TeacherFactory(), rows=rows
)
tasks.import_roster.enqueue(roster_import.pk)
print(json.dumps(roster_import.pk))
"""
IMPORT_STATE = """
import json
from classrooms.models import Enrollment, ImportedStudent, RosterImport
from quizsite.sealed import unseal

roster_import = RosterImport.objects.get(pk={pk})
students = list(roster_import.students.select_related("student"))
print(json.dumps({{
    "status": roster_import.status,
    "made": len(students),
    "passwords": sorted(unseal(s.sealed_password) or "" for s in students),
    "accounts": Enrollment.objects.filter(classroom=roster_import.classroom).count(),
}}))
"""


def start_worker(site, log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval=0.2", "--housekeeping-every=0.5"],
            cwd=BASE_DIR,
            env={**site.env, "ORBIT_TASK_STALLED_AFTER": "2"},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def test_a_worker_killed_mid_import_is_finished_by_the_next_without_doubles(site):
    """Each account costs a real password hash here (the site's own hasher), so the import
    is halfway when the worker is killed; a new worker sees it stalled and finishes it."""
    pk = site.shell(ROSTER_IMPORT)
    log = site.tmp / "worker.log"
    worker = start_worker(site, log)
    deadline = time.monotonic() + 60
    while (state := site.shell(IMPORT_STATE.format(pk=pk)))["made"] < 3:
        assert worker.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    state = site.shell(IMPORT_STATE.format(pk=pk))
    assert state["status"] == "running" and state["made"] < 20

    worker = start_worker(site, log)
    try:
        deadline = time.monotonic() + 90
        while (state := site.shell(IMPORT_STATE.format(pk=pk)))["status"] != "finished":
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert (state["made"], state["accounts"]) == (20, 20)
    assert "" not in state["passwords"] and len(set(state["passwords"])) == 20


def test_healthz_names_the_cache_while_redis_is_down(site, start_servers, tmp_path):
    redis = RedisServer(tmp_path)
    try:
        [server] = start_servers(1, REDIS_URL=redis.url)
        redis.stop()
        reply = httpx.get(f"{server.url}/healthz", timeout=5)
        assert reply.status_code == 503
        assert reply.json() == {"status": "error", "database": "ok", "cache": "unreachable"}
        redis.start()
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    finally:
        redis.stop()


# Paths that broke the old %-template access log (a decoded %5C or %09 is a backslash or a tab
# inside a JSON string), and others a log line must survive: sent as raw request lines.
HOSTILE_PATHS = [
    b"/a%5Cb",
    b"/tab%09here",
    b'/quote"d/%22/',
    b"/back\\slash\\",
    b"/bytes%FF%FE%C3%28",
    b"/raw-bytes/\xff\xfe\xc3(",  # not percent-encoded: gunicorn refuses the request (400)
    b"/newline%0Aforged%0D%0A{}",
    b"/utf8/%E2%98%83",
    b"/long/" + b"x" * 3000,
]


def test_access_log_lines_are_json_whatever_the_path(site, start_servers):
    [server] = start_servers(1)
    for path in HOSTILE_PATHS:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
            conn.sendall(
                b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )
            assert conn.recv(12).startswith(b"HTTP/1.1 ")
            while conn.recv(65536):
                pass
    server.stop()  # its log is complete
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    logged = {line["path"] for line in access}
    assert {"/a\\b", "/tab\there", '/quote"d/"/', "/back\\slash\\"} <= logged
    assert "/long/" + "x" * 3000 in logged
    requests = [line for line in access if line["path"] != "/healthz"]
    assert len(requests) == len(HOSTILE_PATHS) - 1  # all but the refused one
    for line in requests:
        assert line["method"] == "GET" and line["status"] == 404
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    [refused] = [line for line in lines if "Invalid HTTP request line" in line["message"]]
    assert "/raw-bytes/\xff\xfe\xc3(" in refused["message"]


def test_bin_serve_starts_with_no_uv_and_no_registry(site, tmp_path):
    """The web process serves from the environment the build step synced: no uv on PATH
    (only the two commands the script itself runs), and any attempt to reach a package
    registry would meet a proxy that refuses."""
    path = tmp_path / "bin"
    path.mkdir()
    for command in ("bash", "dirname"):
        (path / command).symlink_to(shutil.which(command))
    refused = "http://127.0.0.1:9"
    port = free_port()
    env = {
        **site.env,
        "PATH": str(path),
        "HTTP_PROXY": refused,
        "HTTPS_PROXY": refused,
        "ALL_PROXY": refused,
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "DJANGO_SECRET_KEY": "k3y-" + "x7Qp9" * 12,
    }
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        serve = subprocess.Popen(
            [str(BASE_DIR / "bin" / "serve")],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert serve.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/livez", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=30)
