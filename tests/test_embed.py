import json
import re
import time
from decimal import Decimal
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from embeds import tokens
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.forms import answer_data
from quizzes.models import Attempt, Question, Response

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lesson(practice_lesson):
    return practice_lesson


def url(name, lesson):
    return reverse(f"embeds:{name}", args=[lesson.slug])


def token_in(response) -> str:
    match = re.search(r'name="embed_token" value="([^"]+)"', response.text)
    assert match, "the page carries no embed token"
    return match.group(1)


def start(client, lesson):
    response = client.post(url("practice_start", lesson))
    assert response.status_code == 200
    return Attempt.objects.get(), token_in(response)


def choice(lesson, text):
    """What the embed posts for the choice with this text, in the test's one attempt."""
    question = Question.objects.get(quiz__lesson=lesson, choices__text=text)
    picked = question.choices.get(text=text).pk
    return answer_data(Attempt.objects.get(), question, picked)["choice"]


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(d for d in policy.split("; ") if d.startswith("frame-ancestors"))


def assert_frameable(response, ancestors="frame-ancestors *"):
    assert "X-Frame-Options" not in response
    assert frame_ancestors(response) == ancestors


def assert_not_frameable(response):
    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "frame-ancestors 'none'"


# Frame headers


def test_embed_page_may_be_framed_by_any_site_by_default(client, lesson):
    response = client.get(url("lesson_embed", lesson))
    assert response.status_code == 200
    assert_frameable(response)
    # The rest of the policy is the site's: scripts only from here or with the nonce.
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert "Making waves in space" in response.text and "Two agencies" in response.text
    assert 'class="site-header"' not in response.text  # no site navigation in the frame


@override_settings(EMBED_FRAME_ANCESTORS=["https://school.example", "https://blog.example"])
def test_an_allowlist_limits_which_sites_may_frame_the_embed(client, lesson):
    response = client.get(url("lesson_embed", lesson))
    assert_frameable(response, "frame-ancestors https://school.example https://blog.example")


@pytest.mark.parametrize(
    "path", ["/", "/lessons/making-waves/", "/admin/login/", "/no-such-page/", "/oembed"]
)
def test_pages_outside_the_embed_forbid_framing(client, lesson, path):
    assert_not_frameable(client.get(path))


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/embed/lessons/no-such-lesson/", 404),
        ("get", "/embed/no-such-page/", 404),
        ("get", "/embed/lessons/making-waves/answer/", 405),
        ("post", "/embed/lessons/making-waves/answer/", 400),  # no token
        ("post", "/embed/lessons/no-such-lesson/answer/", 404),
    ],
)
def test_embed_error_pages_can_be_shown_in_the_frame(client, lesson, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert_frameable(response)


def test_unknown_embed_address_says_so(client, lesson):
    response = client.get("/embed/lessons/no-such-lesson/")
    assert "There is no lesson at this address." in response.text


# The practice quiz, without cookies


def test_practice_quiz_in_the_embed_from_start_to_score_without_any_cookie(client, lesson):
    page = client.get(url("lesson_embed", lesson))
    assert "Start the practice quiz" in page.text
    assert not Attempt.objects.exists()  # only starting makes a record

    attempt, token = start(client, lesson)
    assert attempt.user is None and attempt.quiz.is_practice

    answered = client.post(
        url("practice_answer", lesson),
        {"embed_token": token, "number": 1, "choice": choice(lesson, "CNSA")},
    )
    assert "Correct." in answered.text
    assert "Making waves in space" in answered.text  # without htmx: the whole page again

    answered = client.post(
        url("practice_answer", lesson),
        {"embed_token": token_in(answered), "number": 2, "text": "wolf amendment"},
    )
    assert "Correct." in answered.text

    finished = client.post(url("practice_finish", lesson), {"embed_token": token_in(answered)})
    assert "You scored 2 out of 2." in finished.text
    attempt.refresh_from_db()
    assert attempt.is_submitted and attempt.score == Decimal(2)
    # Nothing was stored in the browser: no session, no CSRF cookie.
    assert not client.cookies
    for response in (page, answered, finished):
        assert not response.cookies


def test_wrong_answer_shows_the_right_one(client, lesson):
    attempt, token = start(client, lesson)
    response = client.post(
        url("practice_answer", lesson),
        {"embed_token": token, "number": 1, "choice": choice(lesson, "NASA")},
    )
    assert "Not quite." in response.text and "Right answer:" in response.text
    assert Response.objects.get(attempt=attempt).points == 0


def test_the_token_is_never_in_an_address(client, lesson):
    _attempt, token = start(client, lesson)
    response = client.post(url("practice_question", lesson), {"embed_token": token, "number": 2})
    addresses = re.findall(r'(?:href|action|hx-post|formaction)="([^"]*)"', response.text)
    assert addresses and not any("token" in a or token_in(response) in a for a in addresses)


def test_htmx_gets_the_panel_with_the_token_in_its_headers(client, lesson):
    _attempt, token = start(client, lesson)
    response = client.post(
        url("practice_answer", lesson),
        {"number": 1, "choice": choice(lesson, "CNSA")},
        headers={"X-Embed-Token": token},  # htmx sends it from hx-headers
        **HTMX,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="practice-panel"')
    headers = re.search(r"hx-headers='([^']+)'", response.text).group(1)
    assert (
        tokens.read_token(json.loads(headers)["X-Embed-Token"]) == Attempt.objects.get().public_id
    )
    assert "HX-Request" in response["Vary"]


def test_moving_between_questions(client, lesson):
    _attempt, token = start(client, lesson)
    response = client.post(url("practice_question", lesson), {"embed_token": token, "number": 2})
    assert "Question 2 of 2" in response.text
    assert "Which law limits" in response.text


def test_invalid_answer_keeps_the_question_and_says_why(client, lesson):
    _attempt, token = start(client, lesson)
    response = client.post(url("practice_answer", lesson), {"embed_token": token, "number": 1})
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "Question 1 of 2" in response.text
    assert not Response.objects.exists()


def test_an_answer_cannot_be_changed_after_feedback(client, lesson):
    _attempt, token = start(client, lesson)
    data = {"embed_token": token, "number": 1, "choice": choice(lesson, "NASA")}
    client.post(url("practice_answer", lesson), data)
    again = client.post(url("practice_answer", lesson), data | {"choice": choice(lesson, "CNSA")})
    assert again.status_code == 409
    assert "already answered" in again.text
    assert Response.objects.get().points == 0


def test_a_finished_attempt_shows_its_score_again(client, lesson):
    _attempt, token = start(client, lesson)
    client.post(url("practice_finish", lesson), {"embed_token": token})
    response = client.post(
        url("practice_answer", lesson),
        {"embed_token": token, "number": 1, "choice": choice(lesson, "CNSA")},
    )
    assert response.status_code == 409
    assert "You scored 0 out of 2." in response.text
    assert not Response.objects.exists()


def test_a_matching_question_gets_feedback_in_the_embed(client, lesson):
    matching = QuestionFactory(
        quiz=lesson.practice_quiz,
        position=3,
        kind=Question.Kind.MATCHING,
        prompt="Match each agency to its country.",
        choices=[("CNSA", False, "China"), ("NASA", False, "United States")],
    )
    _attempt, token = start(client, lesson)
    right = {str(c.pk): c.pk for c in matching.choices.all()}
    pairs = answer_data(Attempt.objects.get(), matching, right)
    response = client.post(
        url("practice_answer", lesson), {"embed_token": token, "number": 3, **pairs}
    )
    assert "Correct." in response.text


# Refused tokens and requests


def test_tampered_token_is_refused_with_a_clear_message(client, lesson):
    _attempt, token = start(client, lesson)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.post(url("practice_answer", lesson), {"embed_token": tampered, "number": 1})
    assert response.status_code == 400
    assert "its embed token is missing or has been changed" in response.text
    assert "Start again" in response.text
    assert_frameable(response)


def test_expired_token_is_refused_with_a_clear_message(client, lesson):
    attempt = Attempt.objects.create(quiz=lesson.practice_quiz)
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 13 * 3600):
        old_token = tokens.make_token(attempt.public_id)
    response = client.post(url("practice_question", lesson), {"embed_token": old_token}, **HTMX)
    assert response.status_code == 400
    assert "This practice quiz has expired" in response.text
    assert "12 hours" in response.text
    assert 'id="practice-panel"' in response.text  # htmx swaps the message into the panel
    assert_frameable(response)


def test_a_token_for_another_lesson_opens_nothing(client, lesson):
    other = QuizFactory(is_practice=True)
    QuestionFactory(quiz=other)
    attempt = Attempt.objects.create(quiz=other)
    response = client.post(
        url("practice_question", lesson), {"embed_token": tokens.make_token(attempt.public_id)}
    )
    assert response.status_code == 404
    assert "no longer exists" in response.text


def test_a_graded_attempt_cannot_be_reached_through_an_embed(client, lesson, student):
    attempt = Attempt.objects.create(quiz=lesson.practice_quiz, user=student)
    response = client.post(
        url("practice_question", lesson), {"embed_token": tokens.make_token(attempt.public_id)}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
)
def test_answers_sent_from_another_site_are_refused(client, lesson, headers):
    attempt, token = start(client, lesson)
    response = client.post(
        url("practice_answer", lesson),
        {"embed_token": token, "number": 1, "choice": choice(lesson, "CNSA")},
        headers=headers,
    )
    assert response.status_code == 403
    assert "sent from another website" in response.text
    assert_frameable(response)
    assert not attempt.responses.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Origin": "http://testserver"},  # a browser without fetch metadata
    ],
)
def test_answers_sent_from_the_embed_itself_are_accepted(client, lesson, headers):
    attempt, token = start(client, lesson)
    response = client.post(
        url("practice_answer", lesson),
        {"embed_token": token, "number": 1, "choice": choice(lesson, "CNSA")},
        headers=headers,
    )
    assert response.status_code == 200
    assert attempt.responses.get().points == 1


# Open in a new tab


def test_open_in_a_new_tab_resumes_the_same_attempt_in_the_session(client, lesson):
    attempt, token = start(client, lesson)
    client.post(
        url("practice_answer", lesson),
        {"embed_token": token, "number": 1, "choice": choice(lesson, "CNSA")},
    )
    response = client.post(url("practice_continue", lesson), {"embed_token": token})
    assert response.status_code == 302
    assert response.url == attempt.get_absolute_url()
    assert str(attempt.public_id) in response.url and token not in response.url
    # The tab is first-party, so the normal attempt pages take over: on to question 2.
    resumed = client.get(response.url, follow=True)
    assert resumed.status_code == 200
    assert "Which law limits" in resumed.text


def test_the_embed_and_the_attempt_page_show_the_same_question_and_feedback(client, lesson):
    """One screen, two pages: what the embed shows, the site shows for the same attempt."""
    attempt, token = start(client, lesson)
    answered = client.post(
        url("practice_answer", lesson),
        {"embed_token": token, "number": 1, "choice": choice(lesson, "NASA")},
    )
    client.post(url("practice_continue", lesson), {"embed_token": token})
    on_site = client.get(reverse("quizzes:attempt_question", args=[attempt.public_id, 1]))
    # The question's fields (choices in this attempt's order) and its feedback with the explanation.
    for part in (
        r"<fieldset.*?</fieldset>",
        r'<div class="feedback.*?class="explanation" lang="en">.*?</div>',
    ):
        embedded, site = (re.search(part, r.text, re.S).group() for r in (answered, on_site))
        assert embedded == site
    assert "Right answer: CNSA" in re.sub(r"<[^>]+>", "", answered.text)


def test_open_in_a_new_tab_needs_a_valid_token(client, lesson):
    response = client.post(url("practice_continue", lesson), {"embed_token": "forged"})
    assert response.status_code == 400
    assert not client.session.get("practice_attempts")


# Embed code and oEmbed


def test_lesson_page_offers_the_embed_code_and_oembed_discovery(client, lesson):
    response = client.get(lesson.get_absolute_url())
    link = re.search(
        r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', response.text
    )
    assert link, "no oEmbed discovery link"
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query == {"url": ["http://testserver/lessons/making-waves/"], "format": ["json"]}
    # Escaped inside a readonly textarea, ready to copy.
    assert (
        "&lt;iframe src=&quot;http://testserver/embed/lessons/making-waves/&quot;" in response.text
    )
    assert "http://testserver/static/js/orbit-embed.js" in response.text


def test_lesson_admin_page_shows_the_embed_code(client, lesson):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(admin)
    response = client.get(reverse("admin:lessons_lesson_change", args=[lesson.pk]))
    assert response.status_code == 200
    assert (
        "&lt;iframe src=&quot;http://testserver/embed/lessons/making-waves/&quot;" in response.text
    )
    assert "title=&quot;Making waves in space: lesson and practice quiz (Orbit Quiz)&quot;" in (
        response.text
    )


def test_oembed_returns_a_rich_response_with_the_required_fields(client, lesson):
    response = client.get(
        "/oembed", {"url": "http://testserver/lessons/making-waves/", "format": "json"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    # oEmbed 1.0, section 2.3.4: every response has type and version; "rich" adds html,
    # width and height (integers, in pixels).
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert isinstance(data["width"], int) and isinstance(data["height"], int)
    assert data["html"].startswith('<iframe src="http://testserver/embed/lessons/making-waves/"')
    assert 'title="Making waves in space: lesson and practice quiz (Orbit Quiz)"' in data["html"]
    assert data["title"] == "Making waves in space"
    assert data["provider_name"] == "Orbit Quiz"
    assert data["provider_url"] == "http://testserver/"


def test_oembed_keeps_within_maxwidth_and_maxheight(client, lesson):
    data = client.get(
        "/oembed",
        {"url": "http://testserver/lessons/making-waves/", "maxwidth": 500, "maxheight": 400},
    ).json()
    assert data["width"] == 500 and data["height"] == 400
    assert 'width="500" height="400"' in data["html"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"url": "http://testserver/lessons/making-waves/", "format": "xml"}, 501),
        ({"url": "http://elsewhere.example/lessons/making-waves/"}, 404),
        ({"url": "http://testserver/lessons/no-such-lesson/"}, 404),
        ({"url": "http://testserver/accounts/login/"}, 404),
        ({}, 400),
    ],
)
def test_oembed_answers_what_it_cannot_embed_with_the_spec_status(client, lesson, query, status):
    assert client.get("/oembed", query).status_code == status


def test_oembed_also_accepts_the_embed_address(client, lesson):
    response = client.get("/oembed", {"url": "http://testserver/embed/lessons/making-waves/"})
    assert response.json()["title"] == "Making waves in space"
