"""A class answering through bin/serve while a server, the cache or the database fails.

    .venv/bin/python bench/faults.py                        # every fault: 10 to 15 minutes
    .venv/bin/python bench/faults.py --only redis-restart   # one (or a comma-separated few)
    .venv/bin/python bench/faults.py --app-dir /path/to/another/checkout

It starts a PostgreSQL cluster (initdb into a temporary directory) and a redis-server (no
persistence) of its own on spare ports, never the machine's own services, and serves the app
with its own `bin/serve` (gunicorn as in production, in a virtualenv of the run's own so the
checkout's .venv keeps its development packages). For each fault, a fresh class of students
(HTTP clients, asyncio and httpx) signs in, starts a deferred-feedback assignment of a shipped
quiz and keeps changing answers the way the question page autosaves them; the fault strikes a
quarter of the way through. Afterwards every student's newest answer to every question is
compared with the row PostgreSQL holds, read directly with psycopg.

The students follow the page's save protocol: each autosave carries `X-Answer-Revision: n`
(n grows per student and question) and counts as saved only when the reply is a 2xx carrying
`X-Answer-Saved: n`. Anything else leaves the answer "not saved yet": the student keeps the
newest change per question and sends it again with the page's backoff (2 s, doubling to 30 s,
or at once when they change an answer), signing in again on a 401 or a redirect to the login
page. A server that never sends `X-Answer-Saved` (code from before the protocol) is detected
before the run; then a 2xx counts as saved and everything else (404 included) does not.

Answers are compared by what the student sees, never by database ids: the harness reads each
question's form from its HTML (inputs, selects, their options and labels) and picks from it,
and decodes the stored answer into the same words (choice texts, places, matches, text).
"""

import argparse
import asyncio
import contextlib
import json
import os
import pwd
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "orbit-fault-benchmark"
QUIZ = "china-us-space-review"  # 16 questions of every kind
LOGIN_PATH = "/accounts/login/"
SESSION_COOKIE = "sessionid"
REQUEST_TIMEOUT = 20  # seconds a student waits for a save before calling it failed
PAGE_TIMEOUT = 120  # for signing in and loading pages: slow under load, but no save is waiting
BACKOFF_FIRST, BACKOFF_MAX = 2, 30  # the page's retry delays (static/js/quiz.js)
AFTER = 15  # the class keeps typing at least this long after a fault ends
SETTLE = 40  # seconds given to resend what is unsaved once the class stops typing


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument(
        "--seconds", type=int, default=60, help="how long the class keeps answering, per fault"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated faults to run, of: " + ", ".join(FAULTS),
    )
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=BASE_DIR,
        help="the checkout to serve with its bin/serve (default: this repository)",
    )
    args = parser.parse_args()
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in args.only if name not in FAULTS]
    if unknown:
        parser.error(f"unknown fault {', '.join(unknown)}: choose from {', '.join(FAULTS)}")
    args.app_dir = args.app_dir.resolve()
    if not (args.app_dir / "bin" / "serve").exists():
        parser.error(f"{args.app_dir} has no bin/serve")
    return args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def proc_stat(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces): state, ppid, pgrp..."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def wait_until(ready, seconds: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    tail = f":\n{log.read_text(errors='replace')[-3000:]}" if log and log.exists() else ""
    raise RuntimeError(f"{what} not ready within {seconds:.0f} s{tail}")


# --- services of our own ----------------------------------------------------------------


class Postgres:
    """A throwaway cluster: initdb into a temporary directory, trust auth, a spare port.
    initdb refuses to run as root, so as root the cluster belongs to the postgres user."""

    def __init__(self):
        versions = [p for p in Path("/usr/lib/postgresql").glob("*") if p.name.isdigit()]
        if not versions:
            sys.exit("PostgreSQL's initdb was not found under /usr/lib/postgresql/*/bin")
        self.bin = max(versions, key=lambda p: int(p.name)) / "bin"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/orbit_faults"
        self.dir = Path(tempfile.mkdtemp(prefix="orbit-faults-pg-"))
        self.data, self.log = self.dir / "data", self.dir / "postgres.log"
        self.as_user = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                sys.exit("running as root and there is no postgres user to own the cluster")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def create(self):
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        with self.connect("postgres") as admin:
            admin.execute("CREATE DATABASE orbit_faults")
        self.version = subprocess.check_output([self.bin / "postgres", "--version"], text=True)

    def run(self, program, *args):
        subprocess.run(
            [*self.as_user, self.bin / program, *map(str, args)],
            check=True,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl+C reaches us, and we stop the cluster in order
        )

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir}"
        self.run("pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")

    def stop(self, mode="fast"):
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def connect(self, dbname="orbit_faults"):
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True
        )

    def close(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """redis-server on a spare port, keeping nothing on disk (a restart empties it)."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log, self.dir = tmp / "redis.log", tmp
        self.process = None
        self.version = subprocess.check_output(["redis-server", "--version"], text=True)

    def start(self):
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
                + ["--save", "", "--appendonly", "no", "--dir", str(self.dir)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self.answers, 10, "redis-server", self.log)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def close(self):
        self.stop()


class Server:
    """The app as production runs it: the checkout's bin/serve, in a session of its own so
    that the whole server (gunicorn's master and workers) can be killed at once."""

    def __init__(self, app_dir: Path, env: dict, tmp: Path):
        self.app_dir, self.env, self.log = app_dir, env, tmp / "serve.log"
        self.url = f"http://127.0.0.1:{env['PORT']}"
        self.process = None

    def deploy(self):
        """What a deploy does before starting web processes: the build step (environment and
        static files, the only step that needs the package registry), then the release step."""
        steps = []  # older checkouts do it all in bin/serve
        if (self.app_dir / "bin" / "build").exists():
            steps.append(["bin/build"])
        if (self.app_dir / "bin" / "migrate").exists():
            steps.append(["bin/migrate"])
        with self.log.open("a") as out:
            for step in steps:
                subprocess.run(
                    step, cwd=self.app_dir, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                    check=True,
                )  # fmt: skip

    def start(self):
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [str(self.app_dir / "bin" / "serve")],
                cwd=self.app_dir,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def healthy(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"bin/serve exited:\n{self.log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_healthy(self, seconds=180):
        wait_until(self.healthy, seconds, "bin/serve (/healthz)", self.log)

    def workers(self) -> list[int]:
        """gunicorn's worker processes: the Python processes of this server whose parent is
        Python too (the master's parent is this script, or uv in older checkouts)."""
        pythons = {}
        for entry in Path("/proc").iterdir():
            try:
                _state, ppid, pgrp = proc_stat(int(entry.name))[:3]
                exe = os.readlink(entry / "exe")
            except (ValueError, OSError):
                continue
            if int(pgrp) == self.process.pid and Path(exe).name.startswith("python"):
                pythons[int(entry.name)] = int(ppid)
        return [pid for pid, parent in pythons.items() if parent in pythons]

    def kill(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class Stack:
    postgres: Postgres
    redis: Redis
    server: Server


# --- the faults -------------------------------------------------------------------------


def cpu_ticks(pid: int) -> int:
    try:
        fields = proc_stat(pid)
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def kill_worker(stack: Stack) -> str:
    workers = stack.server.workers()
    if not workers:
        raise RuntimeError("no gunicorn worker found")
    # The busiest worker of the last moment, the likeliest to be answering someone.
    before = {pid: cpu_ticks(pid) for pid in workers}
    time.sleep(0.3)
    victim = max(workers, key=lambda pid: cpu_ticks(pid) - before[pid])
    os.kill(victim, signal.SIGKILL)
    return f"SIGKILL to the busiest of {len(workers)} workers"


def restart_server(stack: Stack) -> str:
    killed = time.monotonic()
    stack.server.kill()
    stack.server.start()  # bin/serve again: gunicorn (older checkouts: sync, migrate, ...)
    stack.server.wait_healthy()
    return (
        "SIGKILL to bin/serve's whole process group, then bin/serve again, "
        f"answering {time.monotonic() - killed:.0f} s after the kill"
    )


def restart_redis(stack: Stack) -> str:
    stack.redis.stop()
    stack.redis.start()
    return "redis-server stopped and started again (empty: no persistence)"


def redis_down(stack: Stack) -> str:
    stack.redis.stop()
    time.sleep(20)
    stack.redis.start()
    return "redis-server stopped for 20 s, then started (empty)"


def postgres_down(stack: Stack) -> str:
    stack.postgres.stop()
    time.sleep(10)
    stack.postgres.start()
    return "PostgreSQL stopped (pg_ctl -m fast) for 10 s, then started"


FAULTS = {
    "worker": ("a gunicorn worker killed", kill_worker),
    "server": ("server killed and restarted", restart_server),
    "redis-restart": ("Redis restarted", restart_redis),
    "redis-down": ("Redis down for 20 s", redis_down),
    "postgres-down": ("PostgreSQL down for 10 s", postgres_down),
}


# --- the class --------------------------------------------------------------------------

# Run with the app's own Python and settings (manage.py shell), after bin/serve migrated:
# the shipped quizzes, then per fault a class of its own with the quiz assigned.
SETUP = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from classrooms.models import Assignment, Classroom, Enrollment
from quizzes.models import Quiz

call_command("loaddata", "lessons", "quizzes", verbosity=0)
quiz = Quiz.objects.get(slug={quiz!r})
password = make_password({password!r})  # one hash for all: N hashes would only slow this
User = get_user_model()
classes = {{}}
for name, size in {classes!r}:
    users = User.objects.bulk_create(
        User(username=f"faults-{{name}}-{{n:03d}}", password=password) for n in range(size)
    )
    classroom = Classroom.objects.create(name=f"Fault benchmark: {{name}}")
    Enrollment.objects.bulk_create(Enrollment(classroom=classroom, student=u) for u in users)
    assignment = Assignment.objects.create(
        classroom=classroom, quiz=quiz, feedback_mode=Assignment.FeedbackMode.DEFERRED
    )
    classes[name] = [assignment.pk, [u.username for u in users]]
print("CLASSES " + json.dumps(classes))
"""


def make_classes(stack: Stack, venv: Path, names: list[str], students: int) -> dict:
    code = SETUP.format(
        quiz=QUIZ, password=PASSWORD, classes=[(name, students) for name in names] + [("probe", 1)]
    )
    out = subprocess.run(
        [str(venv / "bin" / "python"), "manage.py", "shell", "-c", code],
        cwd=stack.server.app_dir,
        env=stack.server.env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.split("CLASSES ", 1)[1])


# --- reading the question page ----------------------------------------------------------


def words(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Control:
    tag: str  # input, select, textarea
    type: str  # radio, checkbox, text, hidden, select, textarea, ...
    name: str
    value: str = ""
    id: str = ""
    inputmode: str = ""
    label: str = ""
    options: list = field(default_factory=list)  # select: (value, text)


class FormReader(HTMLParser):
    """The answer form's controls with their labels, the question's prompt, the navigator's
    links and the CSRF token, from a question page as the server sent it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls: list[Control] = []
        self.action = ""
        self.prompt = ""
        self.links: list[str] = []
        self.csrf = ""
        self._in_form = False
        self._labels = []  # open <label>s: [for, text parts, wrapped controls]
        self._labelled = {}  # id -> label text
        self._prompt = None  # the prompt's text parts while inside it
        self._option = None  # [value, text parts] while inside an <option>
        self._textarea = None  # text parts while inside a <textarea>

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body" and (
            found := re.search(r'"X-CSRFToken": "([^"]+)"', a.get("hx-headers", ""))
        ):
            self.csrf = found[1]
        if tag == "a" and (a.get("id") or "").startswith("nav-") and a.get("href"):
            self.links.append(a["href"])
        if tag == "form" and a.get("id") == "answer-form":
            self._in_form = True
            self.action = a.get("hx-post") or a.get("action") or ""
        if tag == "span" and "prompt" in (a.get("class") or "").split():
            self._prompt = []
        if tag == "br" and self._prompt is not None:
            self._prompt.append(" ")
        if not self._in_form:
            return
        if tag == "label":
            self._labels.append([a.get("for"), [], []])
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            control = Control(
                "input",
                kind,
                a.get("name") or "",
                a.get("value") or ("on" if kind in ("radio", "checkbox") else ""),
                a.get("id") or "",
                a.get("inputmode") or "",
            )
            self.add(control)
        elif tag == "select":
            self.add(Control("select", "select", a.get("name") or "", id=a.get("id") or ""))
        elif tag == "option" and self.controls and self.controls[-1].tag == "select":
            self._option = [a.get("value"), []]
        elif tag == "textarea":
            self.add(Control("textarea", "textarea", a.get("name") or "", id=a.get("id") or ""))
            self._textarea = []

    def add(self, control):
        self.controls.append(control)
        if self._labels:
            self._labels[-1][2].append(control)

    def handle_endtag(self, tag):
        if tag == "span" and self._prompt is not None:  # the prompt holds no <span>
            self.prompt = words("".join(self._prompt))
            self._prompt = None
        if not self._in_form:
            return
        if tag == "form":
            self._in_form = False
        elif tag == "option" and self._option:
            value, parts = self._option
            text = words("".join(parts))
            self.controls[-1].options.append((text if value is None else value, text))
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            self.controls[-1].value = "".join(self._textarea)
            self._textarea = None
        elif tag == "label" and self._labels:
            target, parts, wrapped = self._labels.pop()
            text = words("".join(parts))
            if target:
                self._labelled[target] = text
            for control in wrapped:
                control.label = text

    def handle_data(self, data):
        for parts in (self._prompt, self._option and self._option[1], self._textarea):
            if parts is not None:
                parts.append(data)
        for label in self._labels:
            label[1].append(data)

    def close(self):
        super().close()
        for control in self.controls:
            if not control.label and control.id in self._labelled:
                control.label = self._labelled[control.id]


@dataclass
class Question:
    """One question as a student's page shows it: what to post where, and what it means."""

    prompt: str
    page: str  # the question's own URL
    action: str  # where its autosave posts
    fixed: list  # hidden fields, sent as they are: [(name, value)]
    radios: dict  # name -> [(value, label)]
    checkboxes: dict  # name -> [(value, label)]
    selects: list  # [(name, label, [(value, option text)])], options without the empty one
    texts: list  # [(name, numeric?)]


def read_question(html: str, page: str) -> Question:
    reader = FormReader()
    reader.feed(html)
    reader.close()
    if not reader.action or not reader.prompt:
        raise ValueError(f"{page}: no answer form or no prompt in the page")
    question = Question(reader.prompt, page, reader.action, [], {}, {}, [], [])
    for c in reader.controls:
        if c.type == "hidden":
            question.fixed.append((c.name, c.value))
        elif c.type == "radio":
            question.radios.setdefault(c.name, []).append((c.value, c.label))
        elif c.type == "checkbox":
            question.checkboxes.setdefault(c.name, []).append((c.value, c.label))
        elif c.tag == "select":
            options = [(value, text) for value, text in c.options if value != ""]
            question.selects.append((c.name, c.label, options))
        else:
            question.texts.append((c.name, c.inputmode == "decimal"))
    return question


def pick(question: Question, rng: random.Random) -> tuple[dict, object]:
    """Some answer to the question: the form data to post and what it means in the words the
    student sees (and the database's row decodes to)."""
    data: dict[str, list[str]] = {}
    for name, value in question.fixed:
        data.setdefault(name, []).append(value)
    meaning = []
    for name, options in question.radios.items():
        value, label = rng.choice(options)
        data[name] = [value]
        meaning.append(label)
    for name, options in question.checkboxes.items():
        ticked = rng.sample(options, rng.randint(1, len(options)))
        data[name] = [value for value, _label in ticked]
        meaning.append(frozenset(label for _value, label in ticked))
    if question.selects:
        # Every item its own place (ordering) or match: a permutation when the lists allow it.
        counts = {len(options) for _name, _label, options in question.selects}
        order = None
        if counts == {len(question.selects)}:
            order = rng.sample(range(len(question.selects)), len(question.selects))
        pairs = []
        for i, (name, label, options) in enumerate(question.selects):
            value, text = options[order[i]] if order else rng.choice(options)
            data[name] = [value]
            pairs.append((label, text))
        meaning.append(tuple(sorted(pairs)))
    for name, numeric in question.texts:
        if numeric:
            text = f"{rng.randint(1, 99_999)}.{rng.randint(0, 9)}"
        else:
            text = f"Answer {rng.randint(0, 10**9)} typed during the fault benchmark."
        data[name] = [text]
        meaning.append(text)
    return data, meaning[0] if len(meaning) == 1 else tuple(meaning)


def stored_meaning(kind: str, answer, choices: dict):
    """A stored answer in the words the student saw (see pick); `choices` maps a choice's
    id to its (text, match_text). None for no answer (a flag alone makes a row)."""
    if answer is None:
        return None
    if kind in ("single", "true_false"):
        return words(choices[answer][0])
    if kind == "multiple":
        return frozenset(words(choices[i][0]) for i in answer)
    if kind == "ordering":
        return tuple(sorted((words(choices[i][0]), str(n)) for n, i in enumerate(answer, 1)))
    if kind == "matching":
        return tuple(
            sorted(
                (words(choices[int(left)][0]), words(choices[right][1]))
                for left, right in answer.items()
            )
        )
    return words(answer)


# --- what each answer went through ------------------------------------------------------


@dataclass
class Change:
    revision: int
    data: dict
    meaning: object
    sent: bool = False
    acked: bool = False


@dataclass
class Answer:
    """One student's answer to one question: every change they typed, oldest first."""

    attempt: str  # the attempt's public id, as in its URL
    question: Question
    changes: list[Change] = field(default_factory=list)


MISSING = None


def judge(changes: list[Change], stored) -> set[str]:
    """What became of one answer, from its changes and the database's row (`stored`, as
    stored_meaning reads it): "acked" when the newest change was acknowledged, else
    "unsaved"; "stored" when the row holds the newest change; "lost" when a change was
    acknowledged and the row holds neither it nor a change sent after it."""
    newest = changes[-1]
    verdict = {"acked" if newest.acked else "unsaved"}
    if stored is not MISSING and stored == newest.meaning:
        verdict.add("stored")
    acknowledged = [c for c in changes if c.acked]
    if acknowledged:
        since = acknowledged[-1].revision
        allowed = [c.meaning for c in changes if c.revision >= since and c.sent]
        if stored is MISSING or stored not in allowed:
            verdict.add("lost")
    return verdict


def recovery(replies: list[tuple[float, bool]], fault_end: float) -> float | None:
    """Seconds from the fault's end until saves are acknowledged again for good: until the
    first acknowledgment after the last failed save (0 when nothing failed after the fault
    ended; None when nothing was acknowledged after the last failure)."""
    failures = [at for at, acked in replies if not acked and at >= fault_end]
    if not failures:
        return 0.0
    last = max(failures)
    after = [at for at, acked in replies if acked and at > last]
    return min(after) - fault_end if after else None


# --- the students -----------------------------------------------------------------------


class Run:
    """What the whole class saw during one fault."""

    def __init__(self, protocol: bool):
        self.protocol = protocol  # True: a save counts only with X-Answer-Saved
        self.replies: list[tuple[float, bool]] = []  # (when, acknowledged)
        self.failures: Counter = Counter()  # why saves were not acknowledged
        self.errors: list[str] = []  # other surprises (sign-in, page loads)
        self.signed_out: set[str] = set()
        self.sign_ins_again = 0
        self.until = 0.0  # when the class stops typing


class Student:
    def __init__(self, username: str, url: str, run: Run, seed):
        self.username, self.run = username, run
        self.rng = random.Random(seed)
        # Idle connections are dropped before gunicorn's keepalive (5 s) closes them under
        # a request, as browsers retry such requests on a new connection.
        self.client = httpx.AsyncClient(
            base_url=url,
            headers={"Origin": url},
            timeout=REQUEST_TIMEOUT,
            limits=httpx.Limits(max_connections=1, keepalive_expiry=4),
        )
        self.csrf = ""
        self.attempt = ""
        self.questions: list[Question] = []
        self.answers: dict[str, Answer] = {}  # by prompt
        self.pending: dict[str, Change] = {}  # newest unacknowledged change per prompt
        self.wake = asyncio.Event()
        self.typing = True

    async def page(self, path: str, what: str) -> tuple[str, str] | None:
        """GET a page, following redirects: (its URL, its HTML), or None."""
        for _hop in range(5):
            try:
                reply = await self.client.get(path, timeout=PAGE_TIMEOUT)
            except httpx.HTTPError as error:
                self.run.errors.append(f"{what}: {error!r}")
                return None
            if reply.is_redirect:
                path = reply.headers["Location"]
                continue
            if reply.status_code != 200:
                self.run.errors.append(f"{what}: HTTP {reply.status_code}")
                return None
            reader = FormReader()
            reader.feed(reply.text)
            self.csrf = reader.csrf or self.csrf
            return path, reply.text
        self.run.errors.append(f"{what}: too many redirects")
        return None

    async def sign_in(self) -> bool:
        if await self.page(LOGIN_PATH, "login page") is None:
            return False
        data = {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf}
        try:
            reply = await self.client.post(LOGIN_PATH, data=data, timeout=PAGE_TIMEOUT)
        except httpx.HTTPError as error:
            self.run.errors.append(f"sign-in: {error!r}")
            return False
        if reply.status_code != 302:
            self.run.errors.append(f"sign-in: HTTP {reply.status_code}")
            return False
        return True

    async def prepare(self, assignment: int) -> bool:
        """Sign in, start the attempt and read every question's form (as the student pages
        through once): what a class does before the clock starts."""
        if not await self.sign_in() or await self.page("/dashboard/", "dashboard") is None:
            return False
        path = f"/assignments/{assignment}/start/"
        try:
            reply = await self.client.post(
                path, headers={"X-CSRFToken": self.csrf}, timeout=PAGE_TIMEOUT
            )
        except httpx.HTTPError as error:
            self.run.errors.append(f"start: {error!r}")
            return False
        if reply.status_code != 302:
            self.run.errors.append(f"start: HTTP {reply.status_code}")
            return False
        self.attempt = reply.headers["Location"]
        first = await self.page(self.attempt, "first question")
        if first is None:
            return False
        reader = FormReader()
        reader.feed(first[1])
        for link in reader.links:
            loaded = first if link == first[0] else await self.page(link, "question page")
            if loaded is None:
                return False
            question = read_question(loaded[1], link)
            self.questions.append(question)
            self.answers[question.prompt] = Answer(self.attempt, question)
        return bool(self.questions)

    async def keep_answering(self):
        """Change an answer every second or two, until the class stops; after one to three
        changes, the next question."""
        number = self.rng.randrange(len(self.questions))
        while time.monotonic() < self.run.until:
            answer = self.answers[self.questions[number].prompt]
            for _ in range(self.rng.randint(1, 3)):
                self.type(answer)
                await asyncio.sleep(self.rng.uniform(0.6, 2.4))
                if time.monotonic() >= self.run.until:
                    break
            number = (number + 1) % len(self.questions)
        self.typing = False
        self.wake.set()

    def type(self, answer: Answer):
        previous = answer.changes[-1].meaning if answer.changes else None
        for _try in range(5):  # clicking the option already chosen changes nothing
            data, meaning = pick(answer.question, self.rng)
            if meaning != previous:
                break
        change = Change(len(answer.changes) + 1, data, meaning)
        answer.changes.append(change)
        self.pending.pop(answer.question.prompt, None)
        self.pending[answer.question.prompt] = change  # the newest waits at the back
        self.wake.set()

    async def keep_saving(self):
        """Send the newest change of each question, one request at a time, until nothing is
        left unsaved and the student has stopped typing (or the task is cancelled)."""
        delay = BACKOFF_FIRST
        while True:
            if not self.pending:
                if not self.typing:
                    return
                self.wake.clear()
                await self.wake.wait()
                continue
            prompt, change = next(iter(self.pending.items()))
            self.wake.clear()  # set again by a change typed while this save is out
            outcome = await self.save(self.answers[prompt], change)
            if outcome == "saved":
                if self.pending.get(prompt) is change:
                    del self.pending[prompt]
                delay = BACKOFF_FIRST
            elif outcome == "failed" and not self.wake.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), delay)
                delay = min(delay * 2, BACKOFF_MAX)

    async def save(self, answer: Answer, change: Change) -> str:
        """One autosave as the page sends it: "saved", "failed", or "signed in again"."""
        question = answer.question
        headers = {
            "HX-Request": "true",
            "HX-Trigger": "answer-form",
            "HX-Target": "answer-form",
            "HX-Current-URL": str(self.client.base_url.join(question.page)),
            "X-CSRFToken": self.csrf,
            "X-Answer-Revision": str(change.revision),
        }
        had_session = SESSION_COOKIE in self.client.cookies
        change.sent = True
        try:
            reply = await self.client.post(question.action, data=change.data, headers=headers)
        except httpx.TimeoutException:
            return self.failed("timeout")
        except httpx.ConnectError:
            return self.failed("no connection")
        except httpx.HTTPError as error:
            return self.failed(f"connection dropped ({type(error).__name__})")
        if had_session and SESSION_COOKIE not in self.client.cookies:
            self.run.signed_out.add(self.username)  # the server deleted the session cookie
        confirmed = reply.headers.get("X-Answer-Saved")
        if reply.is_success and (confirmed == str(change.revision) or not self.run.protocol):
            change.acked = True
            self.run.replies.append((time.monotonic(), True))
            return "saved"
        location = reply.headers.get("Location", "")
        to_login = reply.is_redirect and httpx.URL(location).path == LOGIN_PATH
        if reply.status_code == 401 or to_login:
            self.failed("401" if reply.status_code == 401 else f"{reply.status_code} to sign-in")
            self.run.signed_out.add(self.username)
            if await self.sign_in() and await self.page(question.page, "page after sign-in"):
                self.run.sign_ins_again += 1
                return "signed in again"
            return "failed"
        if reply.is_success:
            reason = f"{reply.status_code} X-Answer-Saved: {confirmed or 'none'}"
        else:
            reason = str(reply.status_code)
        return self.failed(reason)

    def failed(self, reason: str) -> str:
        self.run.replies.append((time.monotonic(), False))
        self.run.failures[reason] += 1
        return "failed"


# --- one fault --------------------------------------------------------------------------


@dataclass
class Result:
    key: str  # the fault's name in FAULTS
    fault: str
    students: int
    changes: int = 0
    sent: int = 0
    tally: Counter = field(default_factory=Counter)
    signed_out: int = 0
    recovered: float | None = 0.0
    done: str = ""
    run: Run | None = None


def read_stored(postgres: Postgres, attempts: list[str]) -> dict:
    """(attempt public id, prompt) -> the stored answer in the student's words."""
    ids = [re.search(r"[0-9a-f]{8}-[0-9a-f-]{27}", a)[0] for a in attempts]
    with postgres.connect() as conn:
        choices = {
            pk: (text, match)
            for pk, text, match in conn.execute("SELECT id, text, match_text FROM quizzes_choice")
        }
        rows = conn.execute(
            "SELECT a.public_id::text, q.prompt, q.kind, r.answer FROM quizzes_response r"
            " JOIN quizzes_attempt a ON a.id = r.attempt_id"
            " JOIN quizzes_question q ON q.id = r.question_id"
            " WHERE a.public_id = ANY(%s::uuid[])",
            [ids],
        ).fetchall()
    by_id = dict(zip(ids, attempts, strict=True))
    stored = {}
    for public_id, prompt, kind, answer in rows:
        try:
            stored[by_id[public_id], words(prompt)] = stored_meaning(kind, answer, choices)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # A wrong figure would be worse than none: the app stores answers differently.
            raise RuntimeError(
                f"cannot read a stored {kind} answer, {answer!r} ({error!r}): "
                "bench/faults.py's stored_meaning needs to learn the new form"
            ) from error
    return stored


async def run_fault(name, stack, assignment, usernames, args, protocol) -> Result:
    title, inject = FAULTS[name]
    print(f"\n== {title} ==", flush=True)
    await asyncio.to_thread(stack.server.wait_healthy)
    run = Run(protocol)
    result = Result(name, title, len(usernames), run=run)
    students = [
        Student(username, stack.server.url, run, f"{name}-{n}")
        for n, username in enumerate(usernames)
    ]
    everyone = students
    # A few sign-ins at a time: each hashes a password, and this is not what is measured.
    gate = asyncio.Semaphore(8)

    async def prepare(student):
        async with gate:
            return await student.prepare(assignment)

    try:
        signing_in = time.monotonic()
        ready = await asyncio.gather(*(prepare(s) for s in students))
        students = [s for s, ok in zip(students, ready, strict=True) if ok]
        if run.errors:
            print(f"  {len(usernames) - len(students)} students could not start: {run.errors[:3]}")
        if not students:
            raise RuntimeError("no student could start the quiz")
        run.errors.clear()
        result.students = len(students)
        started = time.monotonic()
        run.until = started + args.seconds
        saving = [asyncio.create_task(s.keep_saving()) for s in students]
        typing = [asyncio.create_task(s.keep_answering()) for s in students]
        print(
            f"  {len(students)} students ready in {started - signing_in:.0f} s, "
            f"answering for {args.seconds} s",
            flush=True,
        )
        await asyncio.sleep(args.seconds / 4)
        fault_start = time.monotonic()
        result.done = await asyncio.to_thread(inject, stack)
        fault_end = time.monotonic()
        # Recovery is measured while students type, however long the fault took.
        run.until = max(run.until, fault_end + AFTER)
        print(
            f"  at {fault_start - started:.0f} s: {result.done} "
            f"(over at {fault_end - started:.0f} s)",
            flush=True,
        )
        await asyncio.gather(*typing)
        _done, late = await asyncio.wait(saving, timeout=SETTLE)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    finally:
        await asyncio.gather(*(s.client.aclose() for s in everyone))

    answers = [a for s in students for a in s.answers.values() if a.changes]
    stored = await asyncio.to_thread(read_stored, stack.postgres, [s.attempt for s in students])
    for answer in answers:
        key = (answer.attempt, answer.question.prompt)
        result.tally.update(judge(answer.changes, stored.get(key, MISSING)))
        result.changes += len(answer.changes)
        result.sent += sum(c.sent for c in answer.changes)
    result.tally["typed"] = len(answers)
    result.signed_out = len(run.signed_out)
    result.recovered = recovery(run.replies, fault_end)
    print(report_line(result), flush=True)
    return result


# --- the report -------------------------------------------------------------------------

HEADER = (
    f"{'fault':<29} {'changes':>7} {'answers':>7} {'acked':>6} {'stored':>6} {'lost':>5}"
    f" {'unsaved':>7} {'signed out':>10} {'recovered':>9}"
)


def report_line(r: Result) -> str:
    t = r.tally
    recovered = "never" if r.recovered is None else f"{r.recovered:.1f} s"
    return (
        f"{r.fault:<29} {r.changes:>7} {t['typed']:>7} {t['acked']:>6} {t['stored']:>6}"
        f" {t['lost']:>5} {t['unsaved']:>7} {f'{r.signed_out}/{r.students}':>10} {recovered:>9}"
    )


def report(results: list[Result]):
    print("\n" + HEADER)
    for r in results:
        print(report_line(r))
    print("\nsaves that were not acknowledged, by reply:")
    for r in results:
        reasons = ", ".join(f"{why} x{n}" for why, n in r.run.failures.most_common()) or "none"
        again = f"; {r.run.sign_ins_again} sign-ins again" if r.run.sign_ins_again else ""
        print(f"  {r.fault}: {r.sent} changes sent; {reasons}{again}")
        for error in r.run.errors[:3]:
            print(f"    {error}")
    lost = [r for r in results if r.tally["lost"]]
    signed_out = [r for r in results if r.signed_out and r.key == "redis-restart"]
    print(
        f"\nlost answers: {sum(r.tally['lost'] for r in results)} "
        f"(target 0 in every fault: {'met' if not lost else 'NOT met'})"
    )
    if any(r.key == "redis-restart" for r in results):
        print(
            f"students signed out by a Redis restart: "
            f"{sum(r.signed_out for r in signed_out)} "
            f"(target 0: {'met' if not signed_out else 'NOT met'})"
        )
    print("TARGET MET" if not lost and not signed_out else "TARGET NOT MET")


# --- putting it together ----------------------------------------------------------------


async def detect_protocol(stack: Stack, assignment: int, username: str) -> bool:
    """Does this checkout's server name the revision it stored (X-Answer-Saved)? One save
    by a student of its own tells, before any fault."""
    student = Student(username, stack.server.url, Run(protocol=True), 0)
    try:
        if not await student.prepare(assignment):
            raise RuntimeError(f"the probe student could not start: {student.run.errors}")
        answer = student.answers[student.questions[0].prompt]
        student.type(answer)
        if await student.save(answer, answer.changes[-1]) == "saved":
            return True
        (why,) = student.run.failures
        if why.endswith("X-Answer-Saved: none"):
            return False
        raise RuntimeError(f"the probe student's save failed before any fault: {why}")
    finally:
        await student.client.aclose()


def server_env(app_dir: Path, postgres: Postgres, redis: Redis, tmp: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "REDIS_", "DATABASE_", "CACHE_", "GUNICORN_"))
        and k not in ("WEB_CONCURRENCY", "PORT", "BIND", "VIRTUAL_ENV")
    }
    if not shutil.which("uv", path=env.get("PATH")) and (BASE_DIR / ".tools/bin/uv").exists():
        env["PATH"] = f"{BASE_DIR / '.tools/bin'}{os.pathsep}{env.get('PATH', '')}"
    return env | {
        "DATABASE_URL": postgres.url,
        "REDIS_URL": redis.url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "PORT": str(free_port()),
        # Synced without development packages (bin/build): into a virtualenv of this run's own,
        # so the checkout's .venv (and this script's httpx) stays as it is.
        "UV_PROJECT_ENVIRONMENT": str(tmp / "venv"),
    }


def describe(args, stack: Stack, protocol: bool):
    commit = subprocess.run(
        ["git", "-C", str(args.app_dir), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    print(
        f"app: {args.app_dir} at {commit or '(not a git checkout)'}\n"
        f"machine: {os.cpu_count()} CPUs ({cpu[1] if cpu else 'unknown'}); "
        f"{stack.postgres.version.strip()} on port {stack.postgres.port}; "
        f"Redis {stack.redis.version.split()[2].removeprefix('v=')} on port {stack.redis.port}; "
        f"bin/serve on {stack.server.url}\n"
        f"{args.students} students per fault, answering for {args.seconds} s, quiz {QUIZ}\n"
        + (
            "save protocol: the server answers X-Answer-Saved, so a save counts only when it "
            "names the revision sent"
            if protocol
            else "save protocol: this server sends no X-Answer-Saved, so a 2xx counts as saved "
            "(a 404, 401, 5xx, redirect or network error does not)"
        ),
        flush=True,
    )


async def main_async(args, stack: Stack, tmp: Path, started: float):
    names = args.only or list(FAULTS)
    await asyncio.to_thread(stack.server.wait_healthy)
    classes = await asyncio.to_thread(make_classes, stack, tmp / "venv", names, args.students)
    print(f"ready in {time.monotonic() - started:.0f} s", flush=True)
    probe_assignment, (probe,) = classes.pop("probe")
    protocol = await detect_protocol(stack, probe_assignment, probe)
    describe(args, stack, protocol)
    results = []
    for name in names:
        assignment, usernames = classes[name]
        results.append(await run_fault(name, stack, assignment, usernames, args, protocol))
    report(results)
    print(f"whole run: {time.monotonic() - started:.0f} s")


def interrupt(signum, frame):
    raise KeyboardInterrupt  # a SIGTERM tears down what we started, as Ctrl+C does


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, interrupt)
    tmp = Path(tempfile.mkdtemp(prefix="orbit-faults-"))
    postgres = redis = server = None
    started = time.monotonic()
    try:
        print("starting PostgreSQL, Redis and bin/serve of our own ...", flush=True)
        postgres, redis = Postgres(), Redis(tmp)
        server = Server(args.app_dir, server_env(args.app_dir, postgres, redis, tmp), tmp)
        postgres.create()
        redis.start()
        server.deploy()
        server.start()
        asyncio.run(main_async(args, Stack(postgres, redis, server), tmp, started))
    except KeyboardInterrupt:
        print("\ninterrupted: stopping what this run started", file=sys.stderr)
    finally:
        for service in (server, redis):
            if service:
                service.stop()
        if postgres:
            postgres.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
