"""Reading a submitted answer out of a POST body, for every kind of question, and the
reverse: the POST body that gives an answer.

The page never names a choice by its id: values and field names are the attempt's item
tokens (`Attempt.item_tokens`), resolved back to ids here. Anything else posted is no
choice at all.
"""

from django.http import QueryDict
from django.utils.translation import gettext_noop as _

from quizzes import scoring
from quizzes.models import Attempt, Question

Kind = Question.Kind


def read_answer(attempt: Attempt, question: Question, data: QueryDict):
    """The answer in its stored form, or InvalidAnswer with a message for the student."""
    key = question.answer_key()
    kind = question.kind
    if kind in (Kind.SINGLE, Kind.TRUE_FALSE):
        raw = _ids_by_token(attempt, question, "choice").get(data.get("choice"))
    elif kind == Kind.MULTIPLE:
        by_token = _ids_by_token(attempt, question, "choice")
        raw = [by_token.get(value) for value in data.getlist("choice")]
    elif kind in (Kind.SHORT_TEXT, Kind.NUMERIC, Kind.ESSAY):
        raw = data.get("text", "")
    elif kind == Kind.ORDERING:
        # One <select> per item giving its place: works without JavaScript and by keyboard.
        fields = attempt.item_tokens(question, "place")
        places = {c.id: _int_or_none(data.get(f"place-{fields[c.id]}")) for c in key.choices}
        if None in places.values() or len(set(places.values())) != len(places):
            raise scoring.InvalidAnswer(_("Give each item a different place, from first to last."))
        raw = sorted(places, key=places.__getitem__)
    elif kind == Kind.MATCHING:
        fields = attempt.item_tokens(question, "item")
        targets = _ids_by_token(attempt, question, "target")
        raw = {
            # An unknown target stays in as None, so clean_answer refuses it.
            str(c.id): targets.get(data[f"match-{fields[c.id]}"])
            for c in key.choices
            if data.get(f"match-{fields[c.id]}")
        }
    else:
        raise scoring.InvalidAnswer(_("This question cannot be answered here."))
    return scoring.clean_answer(key, raw)


def answer_data(attempt: Attempt, question: Question, answer) -> dict:
    """The form fields that post `answer` (in its stored form): what read_answer reads."""
    if question.kind in (Kind.SINGLE, Kind.TRUE_FALSE):
        return {"choice": attempt.item_tokens(question, "choice")[answer]}
    if question.kind == Kind.MULTIPLE:
        tokens = attempt.item_tokens(question, "choice")
        return {"choice": [tokens[choice_id] for choice_id in answer]}
    if question.kind == Kind.ORDERING:
        fields = attempt.item_tokens(question, "place")
        return {f"place-{fields[choice_id]}": place for place, choice_id in enumerate(answer, 1)}
    if question.kind == Kind.MATCHING:
        fields = attempt.item_tokens(question, "item")
        targets = attempt.item_tokens(question, "target")
        return {f"match-{fields[int(left)]}": targets[right] for left, right in answer.items()}
    return {"text": answer}


def _ids_by_token(attempt, question, role) -> dict[str, int]:
    return {token: choice_id for choice_id, token in attempt.item_tokens(question, role).items()}


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
