"""Security headers on every kind of response, and a page that obeys its own policy.

The Content-Security-Policy allows scripts from this site or carrying the response's
nonce, and no inline styles at all; a page whose markup needs more would break in the
browser without any server error, so the markup is checked against the policy here.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.factories import TeacherFactory
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.forms import answer_data
from quizzes.models import Attempt

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def practice(db):
    quiz = QuizFactory(is_practice=True, lesson__slug="making-waves")
    QuestionFactory(quiz=quiz, position=1)
    return quiz


def practice_attempt(client, quiz) -> Attempt:
    client.post(reverse("quizzes:quiz_start", args=[quiz.slug]))
    return Attempt.objects.get()


def question_url(attempt) -> str:
    return reverse("quizzes:attempt_question", args=[attempt.public_id, 1])


def lesson_page(client, quiz):
    return client.get(quiz.lesson.get_absolute_url())


def question_page(client, quiz):
    return client.get(question_url(practice_attempt(client, quiz)))


def question_partial(client, quiz):
    return client.get(question_url(practice_attempt(client, quiz)), **HTMX)


def checked_answer_partial(client, quiz):
    attempt = practice_attempt(client, quiz)
    question = quiz.questions.get()
    right = answer_data(attempt, question, question.choices.get(is_correct=True).pk)
    return client.post(question_url(attempt), right, **HTMX)


def embed_page(client, quiz):
    return client.get(reverse("embeds:lesson_embed", args=[quiz.lesson.slug]))


def embed_partial(client, quiz):
    return client.post(reverse("embeds:practice_start", args=[quiz.lesson.slug]), **HTMX)


def embed_error_page(client, quiz):
    return client.get("/embed/no-such-page/")


def not_found_page(client, quiz):
    return client.get("/no-such-page/")


def forbidden_page(client, quiz):
    graded = QuizFactory()
    return client.post(reverse("quizzes:quiz_start", args=[graded.slug]))


def admin_page(client, quiz):
    client.force_login(TeacherFactory())
    return client.get(reverse("admin:quizzes_question_change", args=[quiz.questions.get().pk]))


PAGES = {
    "lesson page": (lesson_page, 200),
    "question page": (question_page, 200),
    "htmx question": (question_partial, 200),
    "htmx feedback": (checked_answer_partial, 200),
    "embed page": (embed_page, 200),
    "htmx embed panel": (embed_partial, 200),
    "embed error page": (embed_error_page, 404),
    "404 page": (not_found_page, 404),
    "403 page": (forbidden_page, 403),
    "admin page": (admin_page, 200),
}


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (directive.split() for directive in policy.split(";") if directive)
    }


def tags(html: str, name: str) -> list[str]:
    return re.findall(rf"<{name}\b[^>]*>", html, re.I)


def attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', tag)
    return found[1] if found else None


def from_this_site(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")


@pytest.mark.parametrize("page", PAGES)
def test_headers_and_markup_obey_a_strict_content_security_policy(client, practice, page):
    make, status = PAGES[page]
    response = make(client, practice)
    assert response.status_code == status
    policy = directives(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    html = response.content.decode()
    nonces = [value for value in policy["script-src"] if value.startswith("'nonce-")]
    # Django adds the nonce to the header only when the page used it: full pages do, to
    # load htmx and our script; htmx fragments need none.
    assert len(nonces) == (1 if "<html" in html else 0)
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'") if nonces else None
    for script in tags(html, "script"):
        # A script runs if it comes from this site or carries this response's nonce.
        carries_nonce = nonce is not None and attribute(script, "nonce") == nonce
        assert from_this_site(attribute(script, "src")) or carries_nonce, script
        if attribute(script, "src") is None:
            assert carries_nonce, script
    for sheet in (tag for tag in tags(html, "link") if 'rel="stylesheet"' in tag):
        assert from_this_site(attribute(sheet, "href")), sheet
    # style-src has no nonce and no 'unsafe-inline': inline styles would be dropped.
    assert policy["style-src"] == ["'self'"]
    assert not tags(html, "style")
    assert not re.search(r"<[^>]+\sstyle=", html)
    # Nor may markup run code the policy forbids: event handler attributes, hx-on, javascript:.
    assert not re.search(r"<[^>]+\s(on[a-z]+|hx-on[:\w-]*)=", html)
    assert "javascript:" not in html.lower()


@pytest.mark.parametrize("page", PAGES)
def test_every_response_sends_the_other_security_headers(client, practice, page, settings):
    make, _status = PAGES[page]
    response = make(client, practice)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    ancestors = directives(response)["frame-ancestors"]
    if response.request["PATH_INFO"].startswith("/embed/"):
        # Embeds are made to be framed (by the sites EMBED_FRAME_ANCESTORS allows).
        assert "X-Frame-Options" not in response
        assert ancestors == settings.EMBED_FRAME_ANCESTORS
    else:
        assert response["X-Frame-Options"] == "DENY"
        assert ancestors == ["'none'"]


@pytest.mark.parametrize("template", ["base.html", "embeds/base.html"])
def test_htmx_is_served_from_this_site_and_configured_for_the_policy(template):
    source = (ROOT / "templates" / template).read_text()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", source)
    config = json.loads(meta[1])
    assert config["allowEval"] is False  # hx-on and js: expressions would need 'unsafe-eval'
    assert config["includeIndicatorStyles"] is False  # it adds an inline <style>
    assert "cdn" not in source.lower() and "https://" not in source


@pytest.fixture(scope="module")
def production_settings() -> dict:
    """The settings DJANGO_SECURE=1 turns on, read from quizsite.settings in a process of
    their own (settings are read once, at start)."""
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    ]
    script = (
        "import json; from quizsite import settings; "
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {names}}}))"
    )
    env = {**os.environ, "DJANGO_SECURE": "1", "DJANGO_SECRET_KEY": "k3y-" + "x7Qp9" * 12}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def in_production(settings, production_settings):
    for name, value in production_settings.items():
        setattr(settings, name, value)


BEHIND_HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}  # as the proxy in front says


def test_in_production_plain_http_is_sent_to_https(client, in_production, practice):
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert client.get("/livez").status_code == 200  # load balancers probe over plain HTTP


def test_in_production_https_answers_carry_hsts(client, in_production, practice):
    response = client.get("/", **BEHIND_HTTPS)
    assert response.status_code == 200
    hsts = response["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains; preload", hsts)
    assert int(hsts.split("=")[1].split(";")[0]) >= 365 * 24 * 60 * 60


def test_in_production_session_and_csrf_cookies_are_secure(client, in_production, student):
    page = client.get(reverse("login"), **BEHIND_HTTPS)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    client.cookies["csrftoken"] = csrf.value
    logged_in = client.post(
        reverse("login"),
        {"username": "student", "password": "correct horse battery", "csrfmiddlewaretoken": token},
        **BEHIND_HTTPS,
    )
    assert logged_in.status_code == 302
    session = logged_in.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
