"""Grading methods: which score counts when a student made several attempts. No Django.

Only submitted attempts of one assignment come in; the grade is provisional when
an attempt it comes from still waits for a teacher's marking.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

HIGHEST, LAST, FIRST, AVERAGE = "highest", "last", "first", "average"


@dataclass(frozen=True)
class AttemptScore:
    started_at: datetime
    score: Decimal
    max_score: Decimal
    is_provisional: bool = False


@dataclass(frozen=True)
class Grade:
    score: Decimal
    max_score: Decimal
    is_provisional: bool
    attempts: int  # how many submitted attempts the grade was chosen from

    @property
    def percent(self) -> Decimal | None:
        if not self.max_score:
            return None
        return _round(Fraction(self.score) / Fraction(self.max_score) * 100)


def highest(attempts: Sequence[AttemptScore]) -> Grade:
    """The best attempt; of equal scores, the earliest."""
    best = max(attempts, key=lambda a: (a.score, -a.started_at.timestamp()))
    return _from_one(best, len(attempts))


def last(attempts: Sequence[AttemptScore]) -> Grade:
    return _from_one(max(attempts, key=lambda a: a.started_at), len(attempts))


def first(attempts: Sequence[AttemptScore]) -> Grade:
    return _from_one(min(attempts, key=lambda a: a.started_at), len(attempts))


def average(attempts: Sequence[AttemptScore]) -> Grade:
    """The mean of the attempts' scores (and of their maximums), rounded half up to 0.01."""
    count = len(attempts)
    return Grade(
        score=_round(sum(Fraction(a.score) for a in attempts) / count),
        max_score=_round(sum(Fraction(a.max_score) for a in attempts) / count),
        is_provisional=any(a.is_provisional for a in attempts),
        attempts=count,
    )


METHODS: dict[str, Callable[[Sequence[AttemptScore]], Grade]] = {
    HIGHEST: highest,
    LAST: last,
    FIRST: first,
    AVERAGE: average,
}


def grade(method: str, attempts: Sequence[AttemptScore]) -> Grade | None:
    """The grade that counts under `method`; None when there is no submitted attempt."""
    if not attempts:
        return None
    return METHODS[method](attempts)


def _from_one(attempt: AttemptScore, count: int) -> Grade:
    return Grade(attempt.score, attempt.max_score, attempt.is_provisional, count)


def _round(value: Fraction) -> Decimal:
    return Decimal(math.floor(value * 100 + Fraction(1, 2))).scaleb(-2)
