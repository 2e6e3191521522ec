"""A teacher imports a class list of 300 and watches the progress bar fill while a real
worker makes the accounts: gunicorn and `manage.py worker` as in production, on a database
of their own (pytest-django's test database can't be reached from other processes)."""

import signal
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.test_live_servers import BASE_DIR, PASSWORD, Server, Site, live_database

# The live servers' settings, with a lighter hasher: 300 real hashes would take minutes
# (bench/roster_import.py measures them), while MD5's would be done before the page looked
# twice. About 10 ms a student: a few seconds in all, which the bar shows moving.
LIGHT_HASHES = """
from django.contrib.auth.hashers import PBKDF2PasswordHasher

class LightHasher(PBKDF2PasswordHasher):
    iterations = 20_000

PASSWORD_HASHERS = ["live_settings.LightHasher"]
"""
ARTIFACTS = BASE_DIR / "test-artifacts"
SETUP = f"""
import json
from django.core.management import call_command
from accounts.factories import TeacherFactory
from classrooms.models import Classroom

call_command("migrate", interactive=False, verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
teacher = TeacherFactory(username="tess", password={PASSWORD!r})
classroom = Classroom.objects.create(name="Orion Group")
classroom.teachers.add(teacher)
print(json.dumps(classroom.pk))
"""


@pytest.fixture
def site(tmp_path):
    with live_database(tmp_path) as database_url:
        site = Site(tmp_path, database_url, settings=LIGHT_HASHES)
        site.classroom = site.shell(SETUP)
        yield site


@pytest.fixture
def server(site):
    server = Server(site)
    server.wait_ready()
    yield server
    server.stop()


@pytest.fixture
def worker(site):
    log = (site.tmp / "worker.log").open("a")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval=0.2"],
        cwd=BASE_DIR,
        env=site.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)
    log.close()


def test_a_300_line_class_list_fills_the_progress_bar_then_shows_the_passwords(
    chromium, site, server, worker, tmp_path
):
    ARTIFACTS.mkdir(exist_ok=True)
    roster = tmp_path / "class.csv"
    roster.write_text(
        "name,email\n" + "".join(f"Student {n},s{n}@example.org\n" for n in range(1, 301))
    )
    context = chromium.new_context(base_url=server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("tess")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/admin/classrooms/classroom/{site.classroom}/roster/")
    page.get_by_label("CSV file").set_input_files(str(roster))
    page.get_by_role("button", name="Import").click()

    progress = page.get_by_role("progressbar")
    expect(progress).to_have_attribute("max", "300")
    values = set()
    while page.get_by_role("progressbar").count():
        try:
            values.add(int(progress.get_attribute("value", timeout=1000)))
            if len(values) == 2:
                page.screenshot(path=str(ARTIFACTS / "roster-progress.png"))
        except Exception:  # swapped out between the two looks: the import ended
            break
        page.wait_for_timeout(200)
    assert len(values) >= 2, values  # the bar moved while we watched
    expect(page.get_by_text("300 students are now in the class.")).to_be_visible(timeout=60_000)
    assert page.locator("table code").count() == 300
    page.screenshot(path=str(ARTIFACTS / "roster-passwords.png"))
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "roster-passwords-print.png"))
    state = site.shell(
        "import json; from classrooms.models import Enrollment; "
        "print(json.dumps(Enrollment.objects.count()))"
    )
    assert state == 300
    context.close()
