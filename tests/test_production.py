"""Production settings: deploy checks, probes and logs."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError

from quizsite.logs import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent


def test_deploy_checks_pass_under_production_settings():
    env = {
        # Not this test run's own DJANGO_ variables (browser tests allow async-unsafe calls).
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SECURE": "1",
        "DJANGO_SECRET_KEY": "k3y-" + "x7Qp9" * 12,
        "DJANGO_ALLOWED_HOSTS": "quiz.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_checks_catch_the_local_defaults():
    # Also: without DJANGO_SECURE, a local server (bin/run, bin/test) starts without a key.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr
    assert "SECRET_KEY" in result.stderr


def manage(*args, **env) -> subprocess.CompletedProcess:
    """manage.py in a new process with `env` and none of this run's own DJANGO_ variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True,
    )  # fmt: skip


LOCAL_KEY = "insecure-local-only-key-set-DJANGO_SECRET_KEY"


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_SECURE": "1"},
        {"DJANGO_SECURE": "1", "DJANGO_SECRET_KEY": ""},
        {"DJANGO_SECURE": "1", "DJANGO_SECRET_KEY": LOCAL_KEY},
        {"DJANGO_PRODUCTION": "1"},  # what bin/serve sets
    ],
    ids=["secure", "secure, empty key", "secure, local key", "serve"],
)
def test_a_production_server_refuses_to_start_without_its_own_secret_key(env):
    result = manage("migrate", "--check", **env)
    assert result.returncode == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith("Set DJANGO_SECRET_KEY to a long random value")


@pytest.mark.parametrize("name", ["serve", "migrate"])
def test_production_scripts_ask_for_the_secret_key_before_doing_anything(name):
    script = (ROOT / "bin" / name).read_text()
    assert script.index("export DJANGO_PRODUCTION=1") < script.index("exec ")


def test_a_production_server_starts_with_a_key_of_its_own():
    # With DJANGO_SECURE the deploy checks above run in full; here only the settings, quickly.
    result = subprocess.run(
        [sys.executable, "-c", "import quizsite.settings"],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "DJANGO_PRODUCTION": "1", "DJANGO_SECRET_KEY": "k3y-" + "x7Qp9" * 12},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_healthz_fails_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_livez_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_log_lines_are_json_with_extra_fields():
    record = logging.makeLogRecord(
        {"name": "quizzes", "levelname": "WARNING", "msg": "late answer %s", "args": (7,)}
    )
    record.attempt = 42
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "late answer 7"
    assert line["level"] == "WARNING"
    assert line["attempt"] == 42


@pytest.mark.django_db
def test_a_database_error_shows_a_friendly_page_without_a_stack_trace(student, monkeypatch):
    from django.test import Client

    def fail(*args, **kwargs):
        raise DatabaseError('relation "quizzes_attempt" does not exist')

    client = Client(raise_request_exception=False)
    client.force_login(student)
    monkeypatch.setattr("quizzes.models.AttemptQuerySet.close_expired", fail)
    response = client.get("/dashboard/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "saved is safe" in page
    assert "Traceback" not in page and "quizzes_attempt" not in page


@pytest.mark.django_db
def test_a_request_django_cannot_read_gets_a_page_saying_nothing_was_saved(client):
    too_many_fields = {f"field{n}": "x" for n in range(1001)}  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = client.post("/accounts/signup/", too_many_fields)
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    assert get_user_model().objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_migrating_with_redis_configured_still_makes_the_database_cache_table(settings):
    # A server may start without REDIS_URL later; its cache (rate limits) needs the table.
    from importlib import import_module
    from types import SimpleNamespace

    from django.db import connection

    migration = import_module("classrooms.migrations.0004_cache_table")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "x"}
    }
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE orbit_cache")
    migration.create_cache_table(None, SimpleNamespace(connection=connection))
    assert "orbit_cache" in connection.introspection.table_names()


def test_admins_and_their_mail_server_are_read_from_the_environment():
    code = (
        "import json; from django.conf import settings;"
        "print(json.dumps([settings.ADMINS, settings.MAILERS['default']]))"
    )
    admins = 'Ada Lovelace <ada@school.example>, "Hopper, Grace" <grace@school.example>,ops@x.org'
    done = manage(
        "shell", "--verbosity", "0", "-c", code,
        DJANGO_ADMINS=admins, EMAIL_URL="smtps://quiz%40school.example:p%2Fss@mail.school.example",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    parsed, mailer = json.loads(done.stdout)
    assert parsed == [
        "Ada Lovelace <ada@school.example>",
        '"Hopper, Grace" <grace@school.example>',
        "ops@x.org",
    ]
    assert mailer["OPTIONS"] == {
        "host": "mail.school.example",
        "port": 465,
        "username": "quiz@school.example",
        "password": "p/ss",
        "use_tls": False,
        "use_ssl": True,
        "timeout": 10,
    }


@pytest.mark.django_db
def test_a_server_error_is_mailed_to_the_admins(student, settings, monkeypatch, mailoutbox):
    from django.test import Client

    def fail(*args, **kwargs):
        raise RuntimeError("a bug")

    settings.ADMINS = ["Ada Lovelace <ada@school.example>"]
    client = Client(raise_request_exception=False)
    client.force_login(student)
    monkeypatch.setattr("quizzes.models.AttemptQuerySet.close_expired", fail)
    assert client.get("/dashboard/").status_code == 500
    [mail] = mailoutbox
    assert mail.to == ["Ada Lovelace <ada@school.example>"]
    assert mail.subject.startswith("[Orbit Quiz] ERROR") and "a bug" in mail.body


@pytest.mark.parametrize("dsn", ["", "https://public@127.0.0.1:9/1"])
def test_sentry_starts_only_with_a_dsn_and_never_in_tests(dsn):
    import sentry_sdk

    assert not sentry_sdk.is_initialized()  # this test run, whatever its environment
    code = "import django, sentry_sdk; django.setup(); print(sentry_sdk.is_initialized())"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "quizsite.settings", "SENTRY_DSN": dsn},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(bool(dsn))
