"""The cache or the database away: students stay signed in, answers are saved or refused
honestly, and nothing fails that a copy in the cache could have served.

The cache here is an in-memory one that can be switched off (raising what redis-py raises
when Redis is unreachable) or emptied (what a Redis restart does), with the settings
REDIS_URL selects: sessions written to the database and read through a copy in the cache.
tests/test_live_servers.py does the same against a real Redis.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from quizzes.forms import answer_data
from quizzes.models import Attempt

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
HTMX = {"HTTP_HX_REQUEST": "true"}
PASSWORD = "correct horse battery"


class FlakyCache(LocMemCache):
    """A cache that raises like an unreachable Redis while `down` is set."""

    down = False


def _unless_down(operation):
    def guarded(self, *args, **kwargs):
        if FlakyCache.down:
            raise redis.ConnectionError(
                "Error 111 connecting to 127.0.0.1:6379. Connection refused."
            )
        return operation(self, *args, **kwargs)

    return guarded


# Every other operation (get_many, delete_many, `in`...) goes through these.
for _name in ("get", "set", "add", "delete", "incr", "touch", "has_key", "clear"):
    setattr(FlakyCache, _name, _unless_down(getattr(LocMemCache, _name)))


@pytest.fixture
def redis_settings(settings):
    """The cache and session settings REDIS_URL selects, on a cache that can fail."""
    settings.CACHES = {"default": {"BACKEND": "tests.test_outages.FlakyCache"}}
    settings.SESSION_ENGINE = "quizsite.sessions"
    yield settings
    FlakyCache.down = False
    cache.clear()


@pytest.fixture
def attempt(make_assignment, student, quiz):
    student.set_password(PASSWORD)
    student.save()
    assignment = make_assignment(quiz, feedback_mode="deferred")
    return Attempt.objects.create(
        quiz=quiz, assignment=assignment, user=student, max_score=quiz.max_score
    )


def log_in(client):
    reply = client.post(reverse("login"), {"username": "student", "password": PASSWORD})
    assert reply.status_code == 302, reply.text


def signed_in(client) -> bool:
    return client.get(reverse("classrooms:dashboard")).status_code == 200


def autosave(client, attempt, text="CNSA", number=1):
    question = attempt.quiz.questions.get(position=number)
    url = reverse("quizzes:attempt_question", args=[attempt.public_id, number])
    data = answer_data(attempt, question, question.choices.get(text=text).pk)
    return client.post(url, data, HTTP_X_ANSWER_REVISION="5", **HTMX)


def test_redis_selects_sessions_written_to_the_database():
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6399/0"}
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "quizsite.sessions"


def test_an_emptied_cache_signs_nobody_out(redis_settings, client, student):
    log_in(client)
    cache.clear()  # Redis restarted, or evicted the session's copy
    assert signed_in(client)


def test_an_unreachable_cache_signs_nobody_out(redis_settings, client, student):
    log_in(client)
    FlakyCache.down = True
    assert signed_in(client)
    assert signed_in(client)  # and again: no cookie was deleted on the way


def test_students_can_sign_in_while_the_cache_is_away(redis_settings, client, student):
    FlakyCache.down = True  # rate limits can't count: they let people in (README)
    log_in(client)
    assert signed_in(client)


def test_answers_are_saved_while_the_cache_is_away(redis_settings, client, attempt):
    log_in(client)
    FlakyCache.down = True
    reply = autosave(client, attempt, "NASA")
    assert reply.status_code == 200 and reply["X-Answer-Saved"] == "5"
    assert "1 of 2 answered" in reply.text
    FlakyCache.down = False
    reply = autosave(client, attempt, "CNSA")  # and when it comes back
    assert reply.status_code == 200 and reply["X-Answer-Saved"] == "5"
    assert (
        attempt.responses.get().answer
        == attempt.quiz.questions.get(position=1).choices.get(text="CNSA").pk
    )


def test_a_log_out_while_the_cache_is_away_stays_a_log_out(redis_settings, client, student):
    """The session's copy could not be deleted; when the cache comes back with its data,
    the old cookie must not sign anyone in again (someone who copied it, say)."""
    log_in(client)
    old_cookie = client.cookies["sessionid"].value
    FlakyCache.down = True
    client.post(reverse("logout"))
    FlakyCache.down = False  # back, with the copy of the signed-in session still in it

    thief = Client()
    thief.cookies["sessionid"] = old_cookie
    assert not signed_in(thief)


def test_a_practice_quiz_started_while_the_cache_is_away_stays_open(redis_settings, client, quiz):
    """The session changed in the database but its copy could not be replaced: when the
    cache comes back with the old copy, that copy must not be read."""
    quiz.is_practice = True
    quiz.save()
    client.get(reverse("lessons:lesson_list"))
    client.post(reverse("quizzes:quiz_start", args=[quiz.slug]))  # a session, and its copy
    first = Attempt.objects.get()
    first.submit()
    FlakyCache.down = True
    client.post(reverse("quizzes:quiz_start", args=[quiz.slug]))  # remembered in the session
    second = Attempt.objects.exclude(pk=first.pk).get()
    FlakyCache.down = False  # back, with the copy that knows only the first attempt

    url = reverse("quizzes:attempt_question", args=[second.public_id, 1])
    assert client.get(url).status_code == 200


def test_healthz_fails_naming_the_cache_when_redis_is_unreachable(client, redis_settings):
    FlakyCache.down = True
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "unreachable"}


def test_a_database_that_cannot_be_reached_gets_a_try_again_page(student, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection failed: Connection refused")

    client = Client(raise_request_exception=False)
    client.force_login(student)
    monkeypatch.setattr("quizzes.models.AttemptQuerySet.close_expired", unreachable)
    reply = client.get(reverse("classrooms:dashboard"))
    assert reply.status_code == 503
    assert reply["Retry-After"] == "5"
    page = reply.content.decode()
    assert "Back in a moment" in page and "answer the page showed as saved is safe" in page
    assert "Connection refused" not in page


def test_postgresql_connections_fail_within_seconds():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DATABASE_URL": "postgres://quiz@db.invalid:5432/quiz",
        "DATABASE_POOL_SIZE": "2",
    }
    code = (
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS'];"
        "print(o['connect_timeout'], o['pool']['timeout'])"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.split() == ["2", "2.0"]


def test_an_unreachable_redis_is_given_up_on_at_once():
    """Half a second at most per call, and one retry (which reconnects after a restart):
    redis-py's own defaults spent 0.8 s retrying each call while Redis was down."""
    from quizsite.cache import ReusedClientRedisCache

    client = ReusedClientRedisCache("redis://127.0.0.1:6399/0", {})._cache
    pool = client._get_connection_pool(write=True)
    connection = pool.make_connection()
    assert connection.socket_connect_timeout == connection.socket_timeout == 0.5
    assert connection.retry.get_retries() == 1
