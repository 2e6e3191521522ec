"""A student who reads only the markup of a question page (values, field names, their order)
and knows nothing of the article must score what a blind guess scores, on every shipped quiz.

The cheater below answers every choice, ordering and matching question of every shipped quiz
by rules that read structure alone: the lowest or highest value, the first or last in source
order, fields sorted by name, the option whose value is the field's own suffix. Its total is
compared with what the same answers would score if the key were shuffled at random among the
items on screen (every relabelling equally likely): the expected score of a guess, and its
spread. Until choice values, names and ids became per-attempt tokens, the "lowest value"
rule scored every single-choice, multiple-response, ordering and matching question right.
"""

import itertools
import math
import uuid
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.factories import UserFactory
from classrooms.models import Assignment, Classroom
from quizzes import kinds
from quizzes.kinds.blanks import parse_gap
from quizzes.models import Attempt, Quiz, Response

pytestmark = pytest.mark.django_db

ATTEMPTS_PER_RULE = 2
# A cheater's total above the guess's mean by more than this many standard deviations
# fails. The attempts are made with fixed ids and seeds, so the outcome is the same on
# every run; with a fair guess, 4 standard deviations above the mean happens in fewer
# than 1 in 30,000 cases.
MARGIN_IN_DEVIATIONS = 4


class AnswerForm(HTMLParser):
    """The answer form's fields in source order, as a browser's developer tools show them."""

    def __init__(self, html):
        super().__init__()
        self.in_form = False
        self.boxes = []  # (type, value) of radio buttons and checkboxes named "choice"
        self.selects = []  # (name, [option values]) with the empty "Choose…" left out
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == "answer-form"
        elif not self.in_form:
            return
        elif tag == "input" and attrs.get("name") == "choice":
            self.boxes.append((attrs["type"], attrs["value"]))
        elif tag == "select":
            self.selects.append((attrs["name"], []))
        elif tag == "option" and self.selects and attrs.get("value"):
            self.selects[-1][1].append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def by_value(value):
    """Numbers in number order (ids), anything else as text."""
    return (len(value), value)


def suffix(name):
    return name.split("-", 1)[1]


def answer_by(rule, form: AnswerForm) -> dict | None:
    """The POST body the rule gives for this form, or None when it can't answer (text)."""
    values = [value for _kind, value in form.boxes]
    if form.boxes and form.boxes[0][0] == "radio":
        picked = {
            "lowest value": min(values, key=by_value),
            "highest value": max(values, key=by_value),
            "first shown": values[0],
            "last shown": values[-1],
        }[rule]
        return {"choice": picked}
    if form.boxes:  # tick half of them, chosen by the rule
        half = math.ceil(len(values) / 2)
        ranked = {
            "lowest value": sorted(values, key=by_value),
            "highest value": sorted(values, key=by_value, reverse=True),
            "first shown": values,
            "last shown": values[::-1],
        }[rule]
        return {"choice": ranked[:half]}
    if not form.selects:
        return None
    names = [name for name, _options in form.selects]
    if names[0].startswith("place-"):  # ordering: give places 1, 2, … in the rule's order
        ranked = {
            "lowest value": sorted(names, key=lambda name: by_value(suffix(name))),
            "highest value": sorted(names, key=lambda name: by_value(suffix(name)), reverse=True),
            "first shown": names,
            "last shown": names[::-1],
        }[rule]
        return {name: place for place, name in enumerate(ranked, 1)}
    answer = {}  # matching
    for row, (name, options) in enumerate(form.selects):
        if suffix(name) in options:  # a row and its right target sharing a value
            answer[name] = suffix(name)
            continue
        answer[name] = {
            "lowest value": min(options, key=by_value),
            "highest value": max(options, key=by_value),
            "first shown": options[row % len(options)],
            "last shown": options[-1 - row % len(options)],
        }[rule]
    return answer


RULES = ["lowest value", "highest value", "first shown", "last shown"]


def relabelled(answer, relabel):
    """The answer with the items it names swapped as `relabel` says (matching: the targets)."""
    if isinstance(answer, int):
        return relabel[answer]
    if isinstance(answer, list):
        return [relabel[item] for item in answer]
    return {left: relabel[right] for left, right in answer.items()}


def guess_distribution(question, answer) -> tuple[Decimal, Decimal]:
    """Mean and variance of the points this answer gets when the key is shuffled among the
    question's items at random: what an answer chosen without knowing the key scores."""
    key = question.answer_key()
    if question.kind == "fill_blanks":
        return gap_guess_distribution(question, answer)
    ids = [choice.id for choice in key.choices]
    outcomes = [
        kinds.score(key, relabelled(answer, dict(zip(ids, order, strict=True))), question.points)
        for order in itertools.permutations(ids)
    ]
    mean = sum(outcomes) / len(outcomes)
    return mean, sum((points - mean) ** 2 for points in outcomes) / len(outcomes)


def gap_guess_distribution(question, answer) -> tuple[Decimal, Decimal]:
    """Fill in the blanks: each gap is its own share of the points, and a word picked from
    a gap's list without knowing the key is right once in as many words as the list has.
    (The cheater types nothing into typed gaps: markup gives nothing to type.)"""
    gaps = [parse_gap(choice.text) for choice in question.choices.all()]
    share = question.points / len(gaps)
    mean = variance = Decimal(0)
    for choice in question.choices.all():
        gap = parse_gap(choice.text)
        if gap.chosen and str(choice.pk) in answer:
            right = Decimal(1) / len(gap.answers)
            mean += share * right
            variance += share * share * right * (1 - right)
    return mean, variance


@pytest.fixture
def shipped_bank():
    call_command("loaddata", "lessons", "quizzes", verbosity=0)


def cheat_through(client, attempt, rule) -> list[Response]:
    """Answer every question of the attempt by the rule; the responses it saved."""
    for number in range(1, attempt.quiz.questions.count() + 1):
        url = reverse("quizzes:attempt_question", args=[attempt.public_id, number])
        page = client.get(url)
        assert page.status_code == 200
        if (data := answer_by(rule, AnswerForm(page.text))) is not None:
            assert client.post(url, data).status_code == 302, f"{rule}: {data} refused"
    return list(attempt.responses.select_related("question"))


def test_a_cheater_reading_only_the_markup_scores_what_a_guess_scores(client, shipped_bank):
    student = UserFactory()
    client.force_login(student)
    classroom = Classroom.objects.create(name="Integrity")
    serial = itertools.count(1)
    report = []
    for rule in RULES:
        scored = expected = variance = Decimal(0)
        for quiz in Quiz.objects.all():
            assignment = None
            if not quiz.is_practice:  # deferred feedback: the cheater sees no verdict
                assignment = Assignment.objects.create(
                    classroom=classroom, quiz=quiz, feedback_mode="deferred"
                )
            for _repeat in range(ATTEMPTS_PER_RULE):
                number = next(serial)
                attempt = Attempt.objects.create(
                    quiz=quiz,
                    assignment=assignment,
                    user=student,
                    public_id=uuid.UUID(int=number),
                    seed=number,
                )
                for response in cheat_through(client, attempt, rule):
                    mean, spread = guess_distribution(response.question, response.answer)
                    scored += response.points
                    expected += mean
                    variance += spread
        ceiling = expected + MARGIN_IN_DEVIATIONS * variance.sqrt()
        report.append(f"{rule}: {scored:.2f} points; a guess {expected:.2f}, at most {ceiling:.2f}")
        assert scored <= ceiling, "\n".join(report)
    print("\n".join(report))
