"""Reading a submitted answer out of a POST body, for every kind of question."""

from django.http import QueryDict
from django.utils.translation import gettext_noop as _

from quizzes import scoring
from quizzes.models import Question


def read_answer(question: Question, data: QueryDict):
    """The answer in its stored form, or InvalidAnswer with a message for the student."""
    key = question.answer_key()
    kind = question.kind
    if kind in (Question.Kind.SINGLE, Question.Kind.TRUE_FALSE):
        raw = _int_or_none(data.get("choice"))
    elif kind == Question.Kind.MULTIPLE:
        raw = [_int_or_none(value) for value in data.getlist("choice")]
    elif kind in (Question.Kind.SHORT_TEXT, Question.Kind.NUMERIC, Question.Kind.ESSAY):
        raw = data.get("text", "")
    elif kind == Question.Kind.ORDERING:
        # One <select> per item giving its place: works without JavaScript and by keyboard.
        places = {c.id: _int_or_none(data.get(f"place-{c.id}")) for c in key.choices}
        if None in places.values() or len(set(places.values())) != len(places):
            raise scoring.InvalidAnswer(_("Give each item a different place, from first to last."))
        raw = sorted(places, key=places.__getitem__)
    elif kind == Question.Kind.MATCHING:
        raw = {
            str(c.id): _int_or_none(data.get(f"match-{c.id}"))
            for c in key.choices
            if data.get(f"match-{c.id}")
        }
    else:
        raise scoring.InvalidAnswer(_("This question cannot be answered here."))
    return scoring.clean_answer(key, raw)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
