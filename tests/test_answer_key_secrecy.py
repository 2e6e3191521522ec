"""No page, htmx fragment or embed token gives a student the answer key before they answer
(or after submitting, when the teacher hides the answers on review).

The quiz below hides a distinct secret in every part of its key: explanations, accepted
short-text answers, the numeric value, the right order, the right pairs. Every response of
a student's way through an attempt is searched for them; the same search then finds them
where they are meant to show, so it can't pass by looking in the wrong place.
"""

import re
from decimal import Decimal

import pytest
from django.core import signing
from django.urls import reverse

from embeds import tokens
from lessons.factories import LessonFactory
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.forms import answer_data
from quizzes.models import Attempt, Question

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
Kind = Question.Kind

ORDER = ["zqxfirst", "zqxsecond", "zqxthird", "zqxfourth"]
PAIRS = [("zqxleftone", "zqxrightone"), ("zqxlefttwo", "zqxrighttwo"), ("zqxleft3", "zqxright3")]

# Whatever only the key knows: what a student sees before answering must contain none of it.
SECRETS = [
    *(f"zqxwhy{kind}" for kind in Kind.values),  # each question's explanation
    "zqxacceptone",  # accepted short-text answers
    "zqxaccepttwo",
    "98765",  # the numeric answer, 98765.4321 km
    " → ".join(ORDER),  # the right order, as the feedback writes it
    *(f"{left} → {right}" for left, right in PAIRS),  # the right pairs
    "zqxgapone",  # a typed gap's accepted answers
    "zqxgapalt",
    "(2) zqxrightword",  # a choice gap's right word, as the key writes it
]
# Words that only feedback on an answer uses; no attempt below answers anything right.
VERDICT_WORDS = ["right answer:", "✓ right answer", "correct", "data-correct", "data-answer"]


@pytest.fixture
def secret_quiz():
    """One question of each kind, each with secrets in its key."""
    lesson = LessonFactory(slug="secret-lesson", title="A lesson with a quiz")
    quiz = QuizFactory(lesson=lesson, title="Secrets quiz")
    kinds = {
        Kind.SINGLE: {"choices": [("Orion", True), ("Lyra", False), ("Vega", False)]},
        Kind.MULTIPLE: {"choices": [("Mars", True), ("Venus", True), ("Pluto", False)]},
        Kind.TRUE_FALSE: {"choices": [("True", False), ("False", True)]},
        Kind.SHORT_TEXT: {"choices": [("zqxacceptone", True), ("zqxaccepttwo", True)]},
        Kind.NUMERIC: {
            "choices": [],
            "numeric_answer": Decimal("98765.4321"),
            "tolerance": Decimal("0.5"),
            "unit": "km",
        },
        # Unshuffled by the teacher: ordering items are shuffled all the same.
        Kind.ORDERING: {"choices": [(text, False) for text in ORDER], "shuffle": False},
        Kind.MATCHING: {"choices": [(left, False, right) for left, right in PAIRS]},
        Kind.ESSAY: {"choices": []},
        Kind.FILL_BLANKS: {
            "prompt": "Fill in the blanks: the probe [[1]] landed on the [[2]] side.",
            "choices": [
                ("zqxgapone | zqxgapalt", True),
                ("zqxrightword ~ nearword ~ dimword", True),
            ],
        },
    }
    for position, (kind, fields) in enumerate(kinds.items(), 1):
        QuestionFactory(
            quiz=quiz,
            position=position,
            kind=kind,
            explanation=f"Because of zqxwhy{kind.value}.",
            **{"prompt": f"Question about {kind.label}?", **fields},
        )
    return quiz


def wrong_answer(attempt, question) -> dict:
    """A POST body answering the question wrongly (essays: an answer a teacher marks)."""
    choices = list(question.choices.all())
    match question.kind:
        case Kind.SINGLE | Kind.TRUE_FALSE:
            answer = next(c.pk for c in choices if not c.is_correct)
        case Kind.MULTIPLE:
            answer = [c.pk for c in choices if not c.is_correct]
        case Kind.SHORT_TEXT:
            answer = "Apollo"
        case Kind.NUMERIC:
            answer = "12"
        case Kind.ORDERING:  # last first
            answer = [c.pk for c in reversed(choices)]
        case Kind.MATCHING:  # each left item with the next one's match
            rotated = choices[1:] + choices[:1]
            answer = {str(c.pk): other.pk for c, other in zip(choices, rotated, strict=True)}
        case Kind.FILL_BLANKS:
            answer = {str(choices[0].pk): "Apollo", str(choices[1].pk): "nearword"}
        case _:
            answer = "An essay about the dialogue."
    return answer_data(attempt, question, answer)


def body(response) -> str:
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    return f"{headers}\n{response.content.decode()}"


def assert_keeps_the_key(response, verdicts=True):
    """Nothing of the key in the response (headers included), nor in its embed tokens."""
    text = body(response)
    leaked = [secret for secret in SECRETS if secret in text]
    if verdicts:
        leaked += [word for word in VERDICT_WORDS if word in text.lower()]
    assert not leaked, f"{response.request['PATH_INFO']} shows {leaked}"
    for token in set(re.findall(r'embed_token" value="([^"]+)"|Embed-Token": "([^"]+)"', text)):
        payload = signing.loads("".join(token), salt=tokens.SALT)
        assert list(payload) == ["attempt"]  # an attempt's id and nothing else


def assert_choices_look_alike(response, question):
    """A right choice's markup differs from a wrong one's only by its text and its token."""
    options = re.findall(r'<label class="option">.*?</label>', response.text, re.S)
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUE_FALSE):
        assert len(options) == question.choices.count()
    shapes = {re.sub(r'value="[0-9a-f]{16}"|<span>[^<]*</span>', "", option) for option in options}
    assert len(shapes) <= 1, shapes


def assert_no_place_given(response):
    """Ordering items start with no place, so an untouched form can't carry the order shown."""
    places = re.findall(r'<select name="place-[^"]+".*?</select>', response.text, re.S)
    assert len(places) == len(ORDER)
    assert not any("selected" in select for select in places)


def test_a_deferred_attempt_shows_no_key_until_the_results_and_none_when_review_hides_it(
    student_client, secret_quiz, make_assignment
):
    assignment = make_assignment(secret_quiz, feedback_mode="deferred", review_shows_answers=False)
    client = student_client
    seen = [client.get(secret_quiz.get_absolute_url()), client.get(reverse("classrooms:dashboard"))]
    client.post(reverse("classrooms:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get()
    for number, question in enumerate(attempt.questions(), 1):
        url = reverse("quizzes:attempt_question", args=[attempt.public_id, number])
        flag_url = reverse("quizzes:attempt_flag", args=[attempt.public_id, number])
        page = client.get(url)
        assert_choices_look_alike(page, question)
        if question.kind == Kind.ORDERING:
            assert_no_place_given(page)
        seen += [
            page,
            client.get(url, **HTMX),
            client.post(url, wrong_answer(attempt, question), **HTMX),  # an autosave
            client.post(url, wrong_answer(attempt, question)),
            client.get(url),  # now with the saved answer
            client.post(flag_url, **HTMX),
            client.post(flag_url),
        ]
    seen.append(client.get(reverse("quizzes:attempt_summary", args=[attempt.public_id])))
    seen.append(client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id]), **HTMX))
    results_url = reverse("quizzes:attempt_results", args=[attempt.public_id])
    seen += [client.get(results_url), client.get(results_url, **HTMX)]
    seen.append(client.get(reverse("classrooms:dashboard")))

    assert "You scored 0 out of" in seen[-2].text
    for response in seen:
        assert_keeps_the_key(response)

    # With answers shown on review, the same results page gives the whole key.
    assignment.review_shows_answers = True
    assignment.save()
    results = client.get(results_url).text
    assert [secret for secret in SECRETS if secret not in results] == []


@pytest.mark.parametrize("practice", [True, False], ids=["practice", "immediate assignment"])
def test_immediate_feedback_shows_a_questions_key_only_once_it_is_answered(
    student_client, secret_quiz, make_assignment, practice
):
    client = student_client
    if practice:
        secret_quiz.is_practice = True
        secret_quiz.save()
        client.post(reverse("quizzes:quiz_start", args=[secret_quiz.slug]))
    else:
        assignment = make_assignment(
            secret_quiz, feedback_mode="immediate", review_shows_answers=False
        )
        client.post(reverse("classrooms:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get()
    for number, question in enumerate(attempt.questions(), 1):
        url = reverse("quizzes:attempt_question", args=[attempt.public_id, number])
        for before in (client.get(url), client.get(url, **HTMX)):
            assert_keeps_the_key(before)
            assert_choices_look_alike(before, question)
        if question.kind == Kind.ORDERING:
            assert_no_place_given(before)

        checked = client.post(url, wrong_answer(attempt, question), **HTMX)

        # The feedback explains this question, and gives away nothing of the others.
        assert f"zqxwhy{question.kind}" in checked.text
        others = [s for s in SECRETS if s.startswith("zqxwhy") and s != f"zqxwhy{question.kind}"]
        assert not [secret for secret in others if secret in checked.text]

    if not practice:  # the review still hides the answers, as the teacher chose
        client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id]))
        results = client.get(reverse("quizzes:attempt_results", args=[attempt.public_id]))
        assert "You scored 0 out of" in results.text
        assert_keeps_the_key(results)


def test_the_embedded_practice_quiz_and_its_token_keep_the_key(client, secret_quiz):
    secret_quiz.is_practice = True
    secret_quiz.save()
    lesson = secret_quiz.lesson
    seen = [client.get(reverse("embeds:lesson_embed", args=[lesson.slug]))]
    started = client.post(reverse("embeds:practice_start", args=[lesson.slug]), **HTMX)
    seen.append(started)
    token = re.search(r'name="embed_token" value="([^"]+)"', started.text)[1]
    question_url = reverse("embeds:practice_question", args=[lesson.slug])
    for number, question in enumerate(secret_quiz.questions.all(), 1):
        data = {"embed_token": token, "number": number}
        page = client.post(question_url, data)
        assert_choices_look_alike(page, question)
        if question.kind == Kind.ORDERING:
            assert_no_place_given(page)
        seen += [page, client.post(question_url, data, **HTMX)]
    for response in seen:
        assert response.status_code == 200
        assert_keeps_the_key(response)

    answer_url = reverse("embeds:practice_answer", args=[lesson.slug])
    first = secret_quiz.questions.first()
    checked = client.post(
        answer_url,
        {"embed_token": token, "number": 1, **wrong_answer(Attempt.objects.get(), first)},
    )
    assert "zqxwhysingle" in checked.text
    assert "zqxwhyessay" not in checked.text


def right_answer(attempt, question, only_one=False) -> dict:
    """A POST body answering the question rightly (essays: an answer a teacher marks);
    `only_one` of a multiple-response question's right choices makes it partly right."""
    choices = list(question.choices.all())
    match question.kind:
        case Kind.SINGLE | Kind.TRUE_FALSE:
            answer = next(c.pk for c in choices if c.is_correct)
        case Kind.MULTIPLE:
            answer = [c.pk for c in choices if c.is_correct][: 1 if only_one else None]
        case Kind.SHORT_TEXT:
            answer = "zqxacceptone"
        case Kind.NUMERIC:
            answer = "98765.4321"
        case Kind.ORDERING:
            answer = [c.pk for c in choices]
        case Kind.MATCHING:
            answer = {str(c.pk): c.pk for c in choices}
        case Kind.FILL_BLANKS:
            answer = {str(choices[0].pk): "zqxgapone", str(choices[1].pk): "zqxrightword"}
        case _:
            answer = "An essay about the dialogue."
    return answer_data(attempt, question, answer)


# Whatever tells a student how one answer fared: marks, words, points and the classes that
# colour them.
VERDICT_MARKERS = [
    "✓", "✗", "◐", "⏳", "correct", "partly right", "not quite", "waiting for your teacher",
    "points", "feedback correct", "feedback partial", "feedback wrong", "feedback pending",
]  # fmt: skip


def test_a_review_that_hides_verdicts_shows_only_the_total_and_the_students_own_answers(
    student_client, secret_quiz, make_assignment
):
    assignment = make_assignment(
        secret_quiz,
        feedback_mode="deferred",
        review_shows_answers=False,
        review_shows_verdicts=False,
    )
    client = student_client
    client.post(reverse("classrooms:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get()
    # Right, partly right (one of two), wrong, unanswered and waiting for a teacher.
    answers = {
        Kind.SINGLE: right_answer,
        Kind.MULTIPLE: lambda attempt, question: right_answer(attempt, question, only_one=True),
        Kind.TRUE_FALSE: wrong_answer,
        Kind.SHORT_TEXT: right_answer,
        Kind.ORDERING: right_answer,
        Kind.MATCHING: wrong_answer,
        Kind.ESSAY: right_answer,
    }
    for number, question in enumerate(attempt.questions(), 1):
        if question.kind in answers:
            url = reverse("quizzes:attempt_question", args=[attempt.public_id, number])
            client.post(url, answers[question.kind](attempt, question))
    client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id]))
    results_url = reverse("quizzes:attempt_results", args=[attempt.public_id])

    for results in (client.get(results_url), client.get(results_url, **HTMX)):
        assert "You scored 3.50 out of 9." in results.text
        assert results.text.count("Your answer:") == 7
        own = ["zqxacceptone", " → ".join(ORDER)]  # the student's own (right) answers
        assert all(answer in results.text for answer in own)
        leaked = [s for s in SECRETS if s in body(results) and s not in own]
        assert leaked == [], leaked
        shown = [marker for marker in VERDICT_MARKERS if marker in body(results).lower()]
        assert shown == [], shown

    # With the verdicts shown (the default), the same search finds every kind of them.
    assignment.review_shows_verdicts = True
    assignment.save()
    results = body(client.get(results_url)).lower()
    assert [marker for marker in VERDICT_MARKERS if marker not in results] == []
