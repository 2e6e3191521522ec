"""Reading a submitted answer out of a POST body, for every kind of question, and the
reverse: the POST body that gives an answer.

The page never names a choice by its id: values and field names are the attempt's item
tokens (`Attempt.item_tokens`), resolved back to ids by the question's kind. Anything else
posted is no choice at all.
"""

from django.http import QueryDict

from quizzes import kinds
from quizzes.models import Attempt, Question


def read_answer(attempt: Attempt, question: Question, data: QueryDict):
    """The answer in its stored form, or InvalidAnswer with a message for the student."""
    raw = question.kind_rules.read(attempt, question, data)
    return kinds.clean_answer(question.answer_key(), raw)


def answer_data(attempt: Attempt, question: Question, answer) -> dict:
    """The form fields that post `answer` (in its stored form): what read_answer reads."""
    return question.kind_rules.post_data(attempt, question, answer)
