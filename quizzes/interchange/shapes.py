"""What a question's answers look like in an exchange format, without naming a kind.

GIFT and Moodle XML describe answers in Moodle's terms (choices with a grade, typed answers,
numbers with a tolerance, pairs...). A format module reads or writes these shapes; each kind
of this app (quizzes/kinds/) says which shape it takes and makes (`from_shape`, `to_shape`),
so neither side branches on the other's names. Plain Python: no Django.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Answer:
    """One answer as the formats give it: its text, the share of the points it earns
    (Moodle's grade: 1 full marks, 0 none, below 0 a penalty) and its own feedback."""

    text: str
    fraction: Fraction = Fraction(1)
    feedback: str = ""


@dataclass(frozen=True)
class Choices:
    """Options to tick. `several`: more than one may be ticked (GIFT: a weighted answer or
    several right ones; Moodle XML: <single>false</single>)."""

    answers: tuple[Answer, ...]
    several: bool = False
    shuffle: bool | None = None  # None: the format doesn't say


@dataclass(frozen=True)
class TrueOrFalse:
    right: bool
    feedback: tuple[str, ...] = ()


@dataclass(frozen=True)
class Typed:
    """Answers a student types and that are compared as text."""

    answers: tuple[Answer, ...]
    case_sensitive: bool = False


@dataclass(frozen=True)
class NumberAnswer:
    value: Decimal
    tolerance: Decimal = Decimal(0)
    fraction: Fraction = Fraction(1)
    feedback: str = ""


@dataclass(frozen=True)
class Number:
    answers: tuple[NumberAnswer, ...]
    unit: str = ""


@dataclass(frozen=True)
class Pairs:
    """Items and their matches; an empty item is a match given only to mislead."""

    pairs: tuple[tuple[str, str], ...]
    shuffle: bool | None = None


@dataclass(frozen=True)
class Order:
    """Items in their right order."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Open:
    """An answer written freely and marked by a teacher."""


@dataclass(frozen=True)
class Gap:
    """One gap of a passage: the words to choose from (the right one first), or the
    answers a student may type."""

    answers: tuple[str, ...]
    chosen: bool


@dataclass(frozen=True)
class Gaps:
    """A passage whose gaps are written [[1]], [[2]]... with a Gap for each, in order."""

    passage: str
    gaps: tuple[Gap, ...]


Shape = Choices | TrueOrFalse | Typed | Number | Pairs | Order | Open | Gaps


@dataclass
class Made:
    """What a kind makes of a shape: the question's own fields, its choices
    [(text, is_correct, match_text)], and what changed or was lost on the way, in words."""

    fields: dict = field(default_factory=dict)
    choices: list[tuple[str, bool, str]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
