"""Rate limits when the requests arrive together, against real gunicorn servers.

Thirty wrong guesses sent at the same moment, to two worker processes of several threads
sharing the cache in the database (SQLite file or PostgreSQL, as the test run's DATABASE_URL
says) or in Redis. pytest-django's in-memory SQLite can't take writes from several threads
(tests/test_concurrency.py says why), so these servers use a database of their own.

Passwords are checked by a hasher that writes a line for each check and takes as long as a
real hash, so a test counts the checks the servers really made.
"""

import time
import uuid

import pytest

from tests import test_live_servers as live
from tests.test_concurrency import at_once

COUNTING_HASHER = """
import os
import time

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    algorithm = "counted_md5"

    def verify(self, password, encoded):
        with open(os.environ["PASSWORD_CHECKS"], "a") as checks:
            checks.write("checked\\n")  # one short append: whole lines, even from many processes
        time.sleep(0.05)  # a real hash takes this long or more
        return super().verify(password, encoded)
"""

CACHES = ["database", "redis"]
# The live servers' settings, with that hasher, and static files as they are in the working
# tree (collecting and compressing them would take longer than all these tests).
SETTINGS = """
PASSWORD_HASHERS = ["counting_hasher.CountingHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""
# Run inside `manage.py shell`: one student per test and cache, and a class to join.
SETUP = f"""
from django.core.management import call_command
from classrooms.models import Classroom
from quizzes.factories import UserFactory

call_command("migrate", interactive=False, verbosity=0)
for cache in {CACHES!r}:
    for name in ("lou", "jo", "pat"):
        UserFactory(username=f"{{name}}-{{cache}}", password={live.PASSWORD!r})
Classroom.objects.create(name="Burst class", join_code="K7MQ2DXP")
print("null")
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bursts")
    (tmp / "counting_hasher.py").write_text(COUNTING_HASHER)
    with live.live_database(tmp) as database_url:
        site = live.Site(tmp, database_url, settings=SETTINGS)
        site.shell(SETUP)
        yield site


def cache_env(cache: str) -> dict:
    """The environment that puts the cache in Redis (under a prefix of this run's own)."""
    if cache == "redis":
        return {"REDIS_URL": live.REDIS_URL, "CACHE_KEY_PREFIX": f"burst-{uuid.uuid4().hex}"}
    return {}


@pytest.fixture(scope="module", params=CACHES)
def server(request, site):
    """A server of two processes with five threads each, so ten requests run at once, its
    cache in the database or in Redis. Each test uses students of its own."""
    checks = site.tmp / f"password-checks-{request.param}"
    checks.touch()
    server = live.Server(
        site,
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="5",
        PASSWORD_CHECKS=str(checks),
        **cache_env(request.param),
    )
    server.cache = request.param
    server.password_checks = lambda: len(checks.read_text().splitlines())
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def thirty_at_once(send):
    """Thirty `send()`s at once; their statuses, sorted."""
    # Counts restart when a window (a quarter hour, or an hour) ends: a burst must not
    # straddle that moment, or it could rightly get twice the checks.
    left = 15 * 60 - time.time() % (15 * 60)
    if left < 10:
        time.sleep(left)
    return sorted(reply.status_code for reply in at_once(*[send] * 30))


def test_thirty_wrong_passwords_at_once_get_five_checks(server):
    tab = live.Tab(server)
    tab.get("/accounts/login/")
    before = server.password_checks()

    statuses = thirty_at_once(
        lambda: tab.post(
            "/accounts/login/", {"username": f"lou-{server.cache}", "password": "wrong"}, htmx=False
        )
    )

    assert server.password_checks() - before == 5
    assert statuses == [200] * 5 + [429] * 25


def test_thirty_wrong_join_codes_at_once_get_ten_answers(server):
    tab = live.Tab(server)
    tab.log_in(f"jo-{server.cache}")
    tab.get("/join/")

    statuses = thirty_at_once(lambda: tab.post("/join/", {"code": "WRONG234"}, htmx=False))

    # Each 400 said "no class has this code": only ten guesses were answered.
    assert statuses == [400] * 10 + [429] * 20


def test_thirty_wrong_old_passwords_at_once_get_five_checks(server):
    tab = live.Tab(server)
    tab.log_in(f"pat-{server.cache}")
    tab.csrf_token = tab.client.cookies["csrftoken"]  # the page is the admin's, without htmx
    logged_in = server.password_checks()
    new = "a new pass phrase"
    form = {"old_password": "wrong", "new_password1": new, "new_password2": new}

    statuses = thirty_at_once(lambda: tab.post("/accounts/password_change/", form, htmx=False))

    assert server.password_checks() - logged_in == 5
    assert statuses == [200] * 5 + [429] * 25


@pytest.mark.parametrize("cache", CACHES)
def test_counting_in_the_shared_cache_loses_no_count(site, cache):
    """Eight threads adding 1 to one counter 25 times each, all at once, leave 200."""
    counted = site.shell(
        f"""
import json, threading
from django.core.cache import cache
from django.db import connection

key = "burst-counter-{uuid.uuid4().hex}"
cache.add(key, 0, 600)
start = threading.Barrier(8)

def count():
    start.wait()
    for _ in range(25):
        cache.incr(key)
    connection.close()

threads = [threading.Thread(target=count) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(cache.get(key)))
""",
        **cache_env(cache),
    )

    assert counted == 200
