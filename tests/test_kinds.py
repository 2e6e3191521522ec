"""The registry of question kinds (quizzes/kinds/): the one place that names a kind, and
every kind it lists working through the same generic paths as every other."""

import random
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.http import QueryDict
from django.urls import reverse

from quizzes import kinds
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.forms import answer_data, read_answer
from quizzes.models import Attempt, Question

ROOT = Path(__file__).resolve().parent.parent
# Production code: the apps, the project package, templates, scripts and the benchmarks
# that run against the app (bench/faults.py reads the database with SQL on purpose, a
# second opinion on what the app stored, so it decodes each stored form itself).
PRODUCTION = [
    "accounts",
    "quizzes",
    "classrooms",
    "embeds",
    "lessons",
    "quizsite",
    "templates",
    "static",
]
PRODUCTION_FILES = ["bench/load.py", "bench/answer_throughput.py", "bench/scale.py"]
REGISTRY = [ROOT / "quizzes" / "kinds", ROOT / "templates" / "quizzes" / "kinds"]


def production_files():
    for top in PRODUCTION:
        for path in (ROOT / top).rglob("*"):
            if path.suffix not in (".py", ".html", ".js") or "migrations" in path.parts:
                continue
            if any(path.is_relative_to(registry) for registry in REGISTRY):
                continue
            yield path
    for name in PRODUCTION_FILES:
        yield ROOT / name


def kind_mentions(text: str) -> list[str]:
    """A kind named in code: its stored value in quotes, or its name on Question.Kind or
    the old constants (Kind.ESSAY, scoring.SINGLE)."""
    values = "|".join(re.escape(value) for value in kinds.KINDS)
    names = "|".join(re.escape(value.upper()) for value in kinds.KINDS)
    pattern = re.compile(rf"""["']({values})["']|\b(?:Kind|scoring)\.({names})\b""")
    return [m[0] for m in pattern.finditer(text)]


def test_no_production_module_outside_the_registry_names_a_kind():
    found = {
        str(path.relative_to(ROOT)): mentions
        for path in production_files()
        if (mentions := kind_mentions(path.read_text()))
    }
    assert found == {}


def test_the_search_for_kind_names_finds_them_where_they_are():
    """The check above can fail: it finds the names in the registry itself."""
    registry = "\n".join(p.read_text() for p in (ROOT / "quizzes" / "kinds").glob("*.py"))
    assert set(kind_mentions(registry)) >= {f'"{value}"' for value in kinds.KINDS}
    assert kind_mentions('{% if question.kind == "essay" %}') == ['"essay"']
    assert kind_mentions("if question.kind == Question.Kind.NUMERIC:") == ["Kind.NUMERIC"]


def test_question_kind_choices_are_the_registry():
    assert [value for value, _label in Question._meta.get_field("kind").choices] == list(
        kinds.KINDS
    )
    assert all((ROOT / "templates" / kind.template).exists() for kind in kinds.all_kinds())


def example_question(kind, quiz=None, **extra):
    fields, choices = kind.example()
    return QuestionFactory(
        quiz=quiz or QuizFactory(is_practice=True),
        kind=kind.value,
        choices=choices,
        points=Decimal(2),
        **{**fields, **extra},
    )


def as_query(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in data.items():
        query.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return query


@pytest.mark.django_db
@pytest.mark.parametrize("kind", kinds.all_kinds(), ids=lambda kind: kind.value)
def test_every_kind_works_through_the_generic_paths(client, kind):
    """Shown, read back from its POST, cleaned, scored, put in words, in the admin's key
    check, through the registry alone."""
    question = example_question(kind)
    assert question.answer_key_problems(list(question.choices.all())) == []
    client.post(reverse("quizzes:quiz_start", args=[question.quiz.slug]))
    attempt = Attempt.objects.get()
    url = reverse("quizzes:attempt_question", args=[attempt.public_id, 1])

    page = client.get(url)
    assert page.status_code == 200
    assert question.kind_rules.legend(question).split("[[")[0][:20] in page.text

    key = question.answer_key()
    right, *others = kind.sample_answers(key)
    for answer in [right, *others, kind.random_answer(key, random.Random(1))]:
        cleaned = kinds.clean_answer(key, answer)
        assert kinds.clean_answer(key, cleaned) == cleaned
        posted = answer_data(attempt, question, cleaned)
        assert read_answer(attempt, question, as_query(posted)) == cleaned
        assert question.answer_display(cleaned)
    expected = Decimal(2) if kind.scored else None
    assert kinds.score(key, kinds.clean_answer(key, right), question.points) == expected
    if kind.scored:
        assert question.key_display()

    client.post(url, answer_data(attempt, question, kinds.clean_answer(key, right)))
    response = attempt.responses.get()
    assert response.answer == kinds.clean_answer(key, right)
    assert response.points == expected
    assert client.get(url).status_code == 200  # the saved answer shows in its fields
