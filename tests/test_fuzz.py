"""Whatever a student or an anonymous visitor posts (oversized, odd unicode, undecodable
bytes, lists for single values, missing fields), every form and htmx endpoint they can
reach answers with a success or a 4xx that says what went wrong, never a server error,
and a refused request writes nothing.

Hypothesis runs all examples of a test inside one test transaction, so each example
compares against the state just before it, and works on an attempt of its own.
"""

import uuid
from contextlib import nullcontext
from datetime import timedelta
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from django.utils.html import strip_tags
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from classrooms.factories import ClassroomFactory
from classrooms.models import Assignment, Enrollment
from embeds import tokens
from lessons.factories import LessonFactory, SectionFactory
from quizsite import ratelimit
from quizzes import kinds
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.forms import answer_data
from quizzes.models import Attempt, Response

FUZZ = settings(
    max_examples=20,
    deadline=None,
    database=None,  # no .hypothesis folder in the project
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

HUGE = "é" * 50_000  # 100 KB once encoded
ODD = ["\x00", "a\x00b", "\ufeff", "\u202e1", "１２", "-0", "1e999999", "NaN", "9" * 5000, " "]
scalar_texts = st.one_of(
    st.text(max_size=20),  # any unicode that UTF-8 can carry, NUL included
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(ODD),
    st.just(HUGE),
)
# Raw bytes reach the server percent-encoded: lone surrogates (ED A0 80), invalid UTF-8.
scalar_bytes = st.one_of(
    st.binary(max_size=20), st.sampled_from([b"\xed\xa0\x80", b"\xff\xfe", b"\xc0\x80", b"%"])
)


def fields(names, known_values=()):
    """Form data over `names`: any of them missing, a scalar, or several values (a list)."""
    texts = st.one_of(scalar_texts, st.sampled_from(known_values)) if known_values else scalar_texts
    as_text = st.dictionaries(st.sampled_from(names), st.one_of(texts, st.lists(texts, max_size=3)))
    as_bytes = st.dictionaries(
        st.sampled_from(names), st.one_of(scalar_bytes, st.lists(scalar_bytes, max_size=3))
    )
    return st.one_of(as_text, as_bytes)


def near(valid: dict, fuzz):
    """Fuzzed data, or a valid form with some of its fields fuzzed, or the valid form:
    so that the paths that accept and store something are exercised too."""
    return st.one_of(fuzz, fuzz.map(lambda posted: {**valid, **posted}), st.just(valid))


def send(client, url, data, htmx=False, **headers):
    """POST `data` as a browser would: multipart for text, urlencoded for raw bytes."""
    if htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    if any(
        isinstance(v, bytes) or isinstance(v, list) and v and isinstance(v[0], bytes)
        for v in data.values()
    ):
        pairs = [(k, v) for k, vs in data.items() for v in (vs if isinstance(vs, list) else [vs])]
        body = urlencode(pairs)
        return client.post(url, body, content_type="application/x-www-form-urlencoded", **headers)
    return client.post(url, data, **headers)


def assert_clear(response):
    """A success, or a 4xx whose page says something a person can read."""
    event(f"HTTP {response.status_code}")  # --hypothesis-show-statistics shows the spread
    assert response.status_code < 500, response.status_code
    if response.status_code >= 400:
        words = " ".join(strip_tags(response.content.decode("utf-8", "replace")).split())
        assert len(words) > 10, (response.status_code, words)


@pytest.fixture(autouse=True)
def fresh_rate_limits(monkeypatch):
    """Call to start counting afresh, so earlier examples' failures lock nobody out."""

    def fresh():
        monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"ratelimit-fuzz-{uuid.uuid4()}")

    fresh()
    return fresh


# Every kind the registry lists, as its example question.
KINDS = [kind.value for kind in kinds.all_kinds()]


def quiz_of_every_kind(**quiz_fields):
    quiz = QuizFactory(**quiz_fields)
    for position, kind in enumerate(kinds.all_kinds(), 1):
        fields, choices = kind.example()
        QuestionFactory(quiz=quiz, position=position, kind=kind.value, choices=choices, **fields)
    return quiz


def right_answer(attempt, question) -> dict:
    """The data a right answer posts."""
    answer = question.kind_rules.sample_answers(question.answer_key())[0]
    posted = answer_data(attempt, question, answer)
    return {
        name: [str(v) for v in value] if isinstance(value, list) else str(value)
        for name, value in posted.items()
    }


def answer_fields(attempt, question):
    """Every field an answer form of this question could send, and values worth trying:
    the page's own fields and item tokens, and the ids it no longer shows."""
    ids = [str(c.pk) for c in question.choices.all()]
    page = question.kind_rules.page_fields(attempt, question)
    tokens = [value for values in page.values() for value in values]
    names = ["choice", "text", "next", "summary", "number", "embed_token", *page]
    texts = [str(a) for a in question.kind_rules.sample_answers(question.answer_key())]
    return fields(names, known_values=[*tokens, *ids, "1", "2", "3", *texts[:2]])


def stored(attempt, question):
    response = Response.objects.filter(attempt=attempt, question=question).first()
    return response and (response.answer, response.points, response.flagged)


@pytest.fixture
def assignments(make_assignment):
    """The quiz of every kind, assigned twice: feedback deferred and immediate."""
    quiz = quiz_of_every_kind(title="Every kind")
    return {
        mode: make_assignment(quiz, attempts_allowed=None, feedback_mode=mode)
        for mode in Assignment.FeedbackMode
    }


def new_attempt(assignment, student, expired=False):
    deadline = timezone.now() - timedelta(minutes=1) if expired else None
    return Attempt.objects.create(
        quiz=assignment.quiz, assignment=assignment, user=student, deadline=deadline
    )


@pytest.mark.parametrize("kind", list(KINDS))
@FUZZ
@given(
    data=st.data(),
    mode=st.sampled_from(Assignment.FeedbackMode),
    answered_before=st.booleans(),
    expired=st.sampled_from([False, False, False, True]),  # mostly open attempts
    htmx=st.booleans(),
)
def test_any_answer_post_is_saved_clean_or_refused_changing_nothing(
    student_client, student, assignments, kind, data, mode, answered_before, expired, htmx
):
    question = assignments[mode].quiz.questions.get(kind=kind)
    attempt = new_attempt(assignments[mode], student)
    url = f"/attempts/{attempt.public_id}/questions/{question.position}/"
    if answered_before:
        student_client.post(url, right_answer(attempt, question))
    if expired:
        Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now())
    before = stored(attempt, question)
    posted = data.draw(near(right_answer(attempt, question), answer_fields(attempt, question)))

    response = send(student_client, url, posted, htmx)

    assert_clear(response)
    after = stored(attempt, question)
    if response.status_code >= 400 or expired:
        assert after == before
    elif after != before:
        answer = after[0]
        assert kinds.clean_answer(question.answer_key(), answer) == answer


@FUZZ
@given(
    posted=fields(["choice", "text", "next", "summary", "csrfmiddlewaretoken"]),
    number=st.one_of(st.integers(min_value=0, max_value=12), st.integers(min_value=0)),
    action=st.sampled_from(["flag", "submit", "question"]),
    expired=st.booleans(),
    htmx=st.booleans(),
)
def test_flag_submit_and_questions_out_of_range_never_fail(
    student_client, student, assignments, posted, number, action, expired, htmx
):
    attempt = new_attempt(assignments["deferred"], student, expired)
    url = {
        "flag": f"/attempts/{attempt.public_id}/questions/{number}/flag/",
        "submit": f"/attempts/{attempt.public_id}/submit/",
        "question": f"/attempts/{attempt.public_id}/questions/{number}/",
    }[action]
    responses_before = list(Response.objects.filter(attempt=attempt).values())

    response = send(student_client, url, posted, htmx)

    assert_clear(response)
    if response.status_code >= 400:
        assert list(Response.objects.filter(attempt=attempt).values()) == responses_before


@FUZZ
@given(
    posted=fields(["quiz", "assignment", "next"]),
    target=st.sampled_from(["practice", "graded quiz", "assignment", "someone else's"]),
    pk=st.one_of(st.none(), st.integers(min_value=0)),  # ids far past any column's range
    logged_in=st.booleans(),
    htmx=st.booleans(),
)
def test_starting_a_quiz_with_any_body_never_fails(
    client, student, assignments, posted, target, pk, logged_in, htmx
):
    if logged_in:
        client.force_login(student)
    else:
        client.logout()
    if target in ("practice", "graded quiz"):
        quiz = QuizFactory(is_practice=target == "practice")
        QuestionFactory(quiz=quiz)
        url = f"/quizzes/{quiz.slug}/start/"
    else:
        other = ClassroomFactory().assignments.create(quiz=assignments["deferred"].quiz)
        assignment = assignments["deferred"] if target == "assignment" else other
        url = f"/assignments/{assignment.pk if pk is None else pk}/start/"
    attempts_before = Attempt.objects.count()

    response = send(client, url, posted, htmx)

    assert_clear(response)
    assert Attempt.objects.count() in (attempts_before, attempts_before + 1)


@FUZZ
@given(data=st.data(), htmx=st.booleans())
def test_joining_with_any_code_enrolls_only_with_the_right_one(
    student_client, student, fresh_rate_limits, data, htmx
):
    fresh_rate_limits()
    classroom = ClassroomFactory()
    known = [classroom.join_code, classroom.join_code.lower(), f" {classroom.join_code[:4]}-"]
    posted = data.draw(near({"code": known[0]}, fields(["code"], known_values=known)))
    enrolled_before = set(Enrollment.objects.filter(student=student).values_list("pk", flat=True))

    response = send(student_client, "/join/", posted, htmx)

    assert_clear(response)
    enrolled = set(Enrollment.objects.filter(student=student).values_list("pk", flat=True))
    if response.status_code >= 400:
        assert enrolled == enrolled_before
    else:
        assert Enrollment.objects.filter(student=student, classroom=classroom).exists()


@FUZZ
@given(
    posted=near(
        {
            "username": "newcomer",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
        fields(
            ["username", "password1", "password2", "email"],
            known_values=["newcomer", "a long pass phrase", "student"],
        ),
    ),
    htmx=st.booleans(),
)
def test_any_sign_up_creates_one_account_or_none(client, student, posted, htmx):
    get_user_model().objects.filter(username="newcomer").delete()  # the valid form stays valid
    users_before = get_user_model().objects.count()

    response = send(client, "/accounts/signup/", posted, htmx)

    assert_clear(response)
    created = get_user_model().objects.count() - users_before
    assert created == (1 if response.status_code == 302 else 0)


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
@FUZZ
@given(
    posted=near(
        {"username": "teacher", "password": "correct horse battery"},
        fields(
            ["username", "password", "next"],
            known_values=["teacher", "correct horse battery", "//evil.example/", "/dashboard/"],
        ),
    ),
    htmx=st.booleans(),
)
def test_any_login_post_logs_in_only_with_the_password_and_stays_on_the_site(
    client, teacher, fresh_rate_limits, url, posted, htmx
):
    fresh_rate_limits()
    client.logout()

    response = send(client, url, posted, htmx)

    assert_clear(response)
    if response.status_code == 302:
        assert client.session.get("_auth_user_id") == str(teacher.pk)
        # Where a browser goes (it reads "\\" as "/"): never to another site.
        location = response["Location"].replace("\\", "/")
        assert urlsplit(urljoin(f"http://testserver{url}", location)).netloc == "testserver"
    else:
        assert "_auth_user_id" not in client.session


@FUZZ
@given(
    posted=fields(["email", "old_password", "new_password1", "new_password2", "next"]),
    url=st.sampled_from(["/accounts/logout/", "/accounts/password_change/"]),
    logged_in=st.booleans(),
)
def test_the_other_account_forms_never_fail(client, student, posted, url, logged_in):
    if logged_in:
        client.force_login(student)

    assert_clear(send(client, url, posted))


@pytest.fixture
def embed_lesson(db):
    lesson = LessonFactory(slug="fuzz-embed")
    SectionFactory(lesson=lesson)
    quiz_of_every_kind(lesson=lesson, is_practice=True)
    return lesson


@FUZZ
@given(
    data=st.data(),
    endpoint=st.sampled_from(["start", "answer", "question", "finish", "continue"]),
    token_kind=st.sampled_from(["valid", "field", "header", "garbage", "missing", "expired"]),
    site=st.sampled_from([None, "same-origin", "cross-site", "none"]),
    htmx=st.booleans(),
)
def test_embed_posts_with_any_token_and_body_never_fail(
    client, embed_lesson, data, endpoint, token_kind, site, htmx
):
    quiz = embed_lesson.practice_quiz
    attempt = Attempt.objects.create(quiz=quiz, max_score=quiz.max_score)
    question = data.draw(st.sampled_from(list(quiz.questions.all())))
    posted = dict(
        data.draw(near(right_answer(attempt, question), answer_fields(attempt, question)))
    )
    token = tokens.make_token(attempt.public_id)
    headers = {}
    if token_kind in ("valid", "field"):
        posted["embed_token"] = token
    if token_kind in ("valid", "header"):
        headers["HTTP_X_EMBED_TOKEN"] = token
    if token_kind == "garbage":
        headers["HTTP_X_EMBED_TOKEN"] = data.draw(st.text(max_size=30))
    if token_kind == "expired":
        posted["embed_token"] = token
    if site:
        headers["HTTP_SEC_FETCH_SITE"] = site
    responses_before = list(Response.objects.filter(attempt=attempt).values())

    # A max age below zero makes every token already expired.
    expiry = override_settings(EMBED_TOKEN_MAX_AGE=-1) if token_kind == "expired" else nullcontext()
    with expiry:
        response = send(client, f"/embed/lessons/fuzz-embed/{endpoint}/", posted, htmx, **headers)

    assert_clear(response)
    if response.status_code >= 400:
        assert list(Response.objects.filter(attempt=attempt).values()) == responses_before


CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "multipart/form-data; boundary=fuzz",
    "multipart/form-data",
    "application/json",
    "text/plain",
]
multipart_bodies = st.builds(
    lambda name, value, tail: (
        b'--fuzz\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value + tail
    ),
    st.sampled_from([b"text", b"choice", b"code", b"username", b"\xff\xfe", b""]),
    st.binary(max_size=40),
    st.sampled_from([b"\r\n--fuzz--\r\n", b"", b"\r\n--fu"]),
)
many_fields = st.integers(min_value=990, max_value=1100).map(
    lambda n: "&".join(f"choice={i}" for i in range(n)).encode()
)


@FUZZ
@given(
    body=st.one_of(st.binary(max_size=200), multipart_bodies, many_fields),
    content_type=st.sampled_from(CONTENT_TYPES),
    endpoint=st.sampled_from(["answer", "flag", "submit", "join", "signup", "login", "embed"]),
    htmx=st.booleans(),
)
def test_raw_bodies_of_any_type_never_fail_and_refusals_change_nothing(
    student_client,
    student,
    assignments,
    embed_lesson,
    fresh_rate_limits,
    body,
    content_type,
    endpoint,
    htmx,
):
    fresh_rate_limits()
    attempt = new_attempt(assignments["deferred"], student)
    practice = Attempt.objects.create(quiz=embed_lesson.practice_quiz)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    url = {
        "answer": f"/attempts/{attempt.public_id}/questions/1/",
        "flag": f"/attempts/{attempt.public_id}/questions/1/flag/",
        "submit": f"/attempts/{attempt.public_id}/submit/",
        "join": "/join/",
        "signup": "/accounts/signup/",
        "login": "/accounts/login/",
        "embed": "/embed/lessons/fuzz-embed/answer/",
    }[endpoint]
    if endpoint == "embed":
        headers["HTTP_X_EMBED_TOKEN"] = tokens.make_token(practice.public_id)
    counts_before = (
        Response.objects.count(),
        get_user_model().objects.count(),
        Enrollment.objects.count(),
    )

    response = student_client.generic("POST", url, body, content_type=content_type, **headers)

    assert_clear(response)
    # Not Django's bare "Bad Request (400)": our page says what happened and what to do.
    assert b"<h1>Bad Request (400)</h1>" not in response.content
    if response.status_code >= 400:
        assert counts_before == (
            Response.objects.count(),
            get_user_model().objects.count(),
            Enrollment.objects.count(),
        )


@FUZZ
@given(
    url=st.one_of(
        st.text(max_size=40),
        st.sampled_from(["http://[::1", "http://testserver:99999/", "http://testserver/%ff/"]),
        st.text(max_size=20).map(lambda path: f"http://testserver/lessons/{path}/"),
    ),
    maxwidth=st.one_of(st.none(), st.text(max_size=10), st.integers().map(str)),
    response_format=st.sampled_from(["json", "xml", ""]),
)
def test_oembed_answers_any_query_without_failing(
    client, embed_lesson, url, maxwidth, response_format
):
    query = {"url": url, "format": response_format}
    if maxwidth is not None:
        query["maxwidth"] = maxwidth

    response = client.get("/oembed", query)

    assert response.status_code in (200, 400, 404, 501)
