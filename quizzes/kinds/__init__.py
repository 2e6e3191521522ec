"""The registry of question kinds: the one place that knows which kinds exist.

Everything that differs by kind lives in the kind's class (see base.QuestionKind); code
elsewhere asks `get(question.kind)`. To add a kind: write its class in a module of this
package, list it in KINDS below, and give it a template, quizzes/kinds/<value>.html.
"""

from decimal import Decimal

from django.utils.translation import gettext_noop

from quizzes import scoring
from quizzes.kinds.arrange import Matching, Ordering
from quizzes.kinds.base import KindForm, QuestionKind
from quizzes.kinds.blanks import FillBlanks
from quizzes.kinds.choice import Multiple, Single, TrueFalse
from quizzes.kinds.text import Essay, Numeric, ShortText

__all__ = [
    "KindForm",
    "QuestionKind",
    "all_kinds",
    "choices",
    "clean_answer",
    "for_moodle_type",
    "for_shape",
    "get",
    "score",
]

# In the order the teacher's "Add a question" page offers them; the first is the default.
KINDS: dict[str, QuestionKind] = {
    kind.value: kind
    for kind in (
        Single(),
        Multiple(),
        TrueFalse(),
        ShortText(),
        Numeric(),
        Ordering(),
        Matching(),
        Essay(),
        FillBlanks(),
    )
}


def get(value: str) -> QuestionKind:
    """The kind stored as `value`; KeyError for none."""
    return KINDS[value]


def all_kinds() -> list[QuestionKind]:
    return list(KINDS.values())


def choices() -> list[tuple[str, str]]:
    """Question.kind's choices (a callable, so a new kind needs no migration)."""
    return [(kind.value, kind.label) for kind in KINDS.values()]


def default() -> str:
    return next(iter(KINDS))


def for_shape(shape) -> QuestionKind | None:
    """The kind that answers of this exchange shape become (quizzes.interchange.shapes)."""
    return next((kind for kind in KINDS.values() if kind.takes(shape)), None)


def for_moodle_type(moodle_type: str, options: dict[str, str]) -> QuestionKind | None:
    """The kind a Moodle XML question of this type becomes: of the kinds written with that
    type, the first whose options the question has (an option it leaves out matches)."""
    candidates = [kind for kind in KINDS.values() if kind.moodle_type == moodle_type]
    for kind in candidates:
        if all(options.get(name, value) == value for name, value in kind.moodle_options):
            return kind
    return candidates[0] if candidates else None


def clean_answer(key: scoring.AnswerKey, answer: object) -> scoring.Answer:
    """The answer in its stored form, or InvalidAnswer with a message for the student."""
    kind = KINDS.get(key.kind)
    if kind is None:
        raise scoring.InvalidAnswer(gettext_noop("Unknown kind of question."))
    return kind.clean(key, answer)


def score(key: scoring.AnswerKey, answer: scoring.Answer, points: Decimal) -> Decimal | None:
    """Points for a clean answer, rounded half up to 0.01; None when a teacher must mark it."""
    return KINDS[key.kind].score(key, answer, points)
