"""Export, then import: a question of every kind comes back as it was, field by field, in
what its format carries.

What neither format carries (the import report says so and the importer chooses): the
evidence and other cited sections (the lesson's first section is cited), the level (recall),
ignoring a leading article, synonyms, a unit's other words and converting units. The key
comes back as the title the export gave it, made unique: "<key>-2" beside the original.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.factories import TeacherFactory
from lessons.factories import LessonFactory, SectionFactory
from quizzes import kinds
from quizzes.interchange import report
from quizzes.models import Choice, Question, Quiz

pytestmark = pytest.mark.django_db

# What GIFT can't carry, besides the above: points (each question is worth 1), shuffling,
# an exact match, the unit, ordering questions, and fill in the blanks with more than one gap
# or with its gap at the end of the passage (GIFT reads that as an ordinary question).
# Text may not hold "->" (GIFT's matching arrow, which has no escape) nor start with "%"
# (a weight); characters of Unicode's private use area stand in for escapes while reading.
GIFT_LOSES = {"points", "shuffle", "strict_text", "unit"}
# Moodle XML carries every kind, but not a fill in the blanks question's exact match, nor
# whether a true/false question shuffles its two answers (it comes back unshuffled, True
# first).
XML_LOSES = {"Gaps": {"strict_text"}, "TrueOrFalse": {"shuffle"}}

CHARACTERS = st.characters(exclude_categories=("Cc", "Cs", "Co", "Zl", "Zp"))
LETTERS = st.characters(categories=("L", "Nd"))


def text(max_size=40):
    return (
        st.text(CHARACTERS, min_size=1, max_size=max_size)
        .map(str.strip)
        .filter(lambda t: t and "->" not in t and not t.startswith("%"))
    )


def phrase():
    words = st.text(LETTERS, min_size=1, max_size=8)
    return st.lists(words, min_size=1, max_size=4).map(" ".join)


def gap_word():
    return text(20).filter(lambda t: "|" not in t and "~" not in t and t == " ".join(t.split()))


@st.composite
def questions(draw, one_gap_inside=False):
    kind = draw(st.sampled_from(kinds.all_kinds()))
    fields = {
        "prompt": draw(text(200)),
        "explanation": draw(st.one_of(st.just(""), text(200))),
        "points": draw(st.decimals(Decimal("0.01"), Decimal("999.99"), places=2)),
        "shuffle": draw(st.booleans()),
        "strict_text": draw(st.booleans()),
    }
    shape = kind.shape_type.__name__
    choices = []
    if shape == "Choices":
        texts = draw(st.lists(text(), min_size=2, max_size=5, unique=True))
        if kind.takes(report.gift.shapes.Choices((), several=True)):
            right = draw(st.sets(st.sampled_from(texts), min_size=1, max_size=len(texts) - 1))
        else:
            right = {draw(st.sampled_from(texts))}
        choices = [(t, t in right, "") for t in texts]
    elif shape == "TrueOrFalse":
        value = draw(st.booleans())
        choices = [("True", value, ""), ("False", not value, "")]
    elif shape == "Typed":
        accepted = draw(st.lists(text(), min_size=1, max_size=3, unique=True))
        choices = [(t, True, "") for t in accepted]
    elif shape == "Number":
        fields["numeric_answer"] = draw(st.decimals(-(10**9), 10**9, places=4))
        fields["tolerance"] = draw(st.decimals(0, 10**6, places=4))
        fields["unit"] = draw(st.sampled_from(["", "g", "years", "km"]))
    elif shape == "Pairs":
        items = draw(st.lists(text(), min_size=2, max_size=4, unique=True))
        matches = draw(st.lists(text(), min_size=len(items), max_size=len(items), unique=True))
        choices = [(item, False, match) for item, match in zip(items, matches, strict=True)]
    elif shape == "Order":
        items = draw(st.lists(text(), min_size=2, max_size=5, unique=True))
        choices = [(t, False, "") for t in items]
    elif shape == "Gaps":
        count = 1 if one_gap_inside else draw(st.integers(1, 3))
        pieces = [draw(st.one_of(st.just(""), phrase()))]
        for n in range(1, count + 1):
            pieces.append(f"[[{n}]]")
            after = phrase() if one_gap_inside else st.one_of(st.just(""), phrase())
            pieces.append(draw(after))
        fields["prompt"] = " ".join(p for p in pieces if p) or "[[1]]"
        for _n in range(count):
            words = draw(st.lists(gap_word(), min_size=1, max_size=4, unique=True))
            chosen = len(words) > 1 and draw(st.booleans())
            choices.append((" ~ ".join(words) if chosen else " | ".join(words), True, ""))
    return kind, fields, choices


def make(quiz, kind, fields, choices) -> Question:
    question = Question.objects.create(
        quiz=quiz, key="original", kind=kind.value, evidence=quiz.lesson.sections.first(), **fields
    )
    Choice.objects.bulk_create(
        Choice(question=question, position=n, text=t, is_correct=right, match_text=match)
        for n, (t, right, match) in enumerate(choices, 1)
    )
    assert question.answer_key_problems(list(question.choices.all())) == []
    return question


def carried(question, loses) -> dict:
    form_fields = set(question.kind_rules.form.fields)
    values = {
        "kind": question.kind,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "points": question.points,
        "choices": [(c.text, c.is_correct, c.match_text) for c in question.choices.all()],
    }
    for name in ("shuffle", "strict_text", "numeric_answer", "tolerance", "unit"):
        if name in form_fields:
            values[name] = getattr(question, name)
    if question.numeric_answer is not None:
        values["numeric_answer"] = question.numeric_answer.normalize()
        values["tolerance"] = question.tolerance.normalize()
    return {name: value for name, value in values.items() if name not in loses}


@pytest.fixture
def world():
    lesson = LessonFactory()
    SectionFactory(lesson=lesson)
    return TeacherFactory(), Quiz.objects.create(lesson=lesson, title="Original", slug="original")


def round_trip(world, question_data, format, loses):
    teacher, quiz = world
    kind, fields, choices = question_data
    with transaction.atomic():
        question = make(quiz, kind, fields, choices)
        text, left_out = report.export([quiz], format)
        assert left_out == []
        copy = Quiz.objects.create(lesson=quiz.lesson, title="Copy", slug="copy")
        done = report.apply(text, copy, teacher, format)
        assert done.problems == [] and done.applied, text
        (back,) = copy.questions.all()
        assert back.key == "original-2"
        assert carried(back, loses) == carried(question, loses), text
        transaction.set_rollback(True)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question_data=questions())
def test_every_kind_comes_back_from_moodle_xml(world, question_data):
    kind = question_data[0]
    loses = XML_LOSES.get(kind.shape_type.__name__, set())
    round_trip(world, question_data, "moodlexml", loses)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    question_data=questions(one_gap_inside=True).filter(
        lambda data: data[0].shape_type.__name__ != "Order"
    )
)
def test_every_kind_gift_holds_comes_back_from_gift(world, question_data):
    round_trip(world, question_data, "gift", GIFT_LOSES)


def test_gift_says_which_questions_it_cannot_hold(world):
    teacher, quiz = world
    order = next(k for k in kinds.all_kinds() if k.shape_type.__name__ == "Order")
    make(
        quiz,
        order,
        {"prompt": "Put them in order.", "explanation": ""},
        [("First", False, ""), ("Second", False, "")],
    )
    text, left_out = report.export([quiz], "gift")
    assert left_out == ["original"]
    assert "// original: GIFT can't hold this ordering question" in text


@pytest.mark.parametrize("format", ["moodlexml", "gift"])
def test_the_shipped_quizzes_go_out_and_come_back(format):
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    teacher = TeacherFactory()

    def fields(question):
        shape = question.kind_rules.shape_type.__name__
        loses = GIFT_LOSES if format == "gift" else XML_LOSES.get(shape, set())
        return carried(question, loses)

    for quiz in Quiz.objects.all():
        text, left_out = report.export([quiz], format)
        copy = Quiz.objects.create(lesson=quiz.lesson, title="Copy", slug=f"{quiz.slug}-back")
        done = report.apply(text, copy, teacher, format)
        assert done.problems == [] and done.applied
        kept = [q for q in quiz.questions.current() if q.key not in left_out]
        assert [fields(q) for q in copy.questions.all()] == [fields(q) for q in kept]
