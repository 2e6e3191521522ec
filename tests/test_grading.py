from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from classrooms import grading
from classrooms.grading import AttemptScore

MONDAY = datetime(2026, 11, 2, 9, tzinfo=UTC)


def attempts(*scores, provisional=()):
    """Attempts out of 10, a day apart, in the order given; `provisional` names indexes."""
    return [
        AttemptScore(MONDAY + timedelta(days=i), Decimal(score), Decimal(10), i in provisional)
        for i, score in enumerate(scores)
    ]


def test_no_submitted_attempt_gives_no_grade():
    for method in grading.METHODS:
        assert grading.grade(method, []) is None


def test_highest_takes_the_best_attempt():
    grade = grading.grade("highest", attempts(4, 9, 6))
    assert (grade.score, grade.max_score, grade.attempts) == (Decimal(9), Decimal(10), 3)


def test_last_takes_the_latest_attempt_even_when_listed_first():
    shuffled = list(reversed(attempts(4, 9, 6)))
    assert grading.grade("last", shuffled).score == Decimal(6)


def test_first_takes_the_earliest_attempt():
    assert grading.grade("first", attempts(4, 9, 6)).score == Decimal(4)


def test_average_is_the_mean_of_the_scores_rounded_half_up():
    grade = grading.grade("average", attempts("4", "9", "6.5"))
    assert grade.score == Decimal("6.50")
    assert grading.grade("average", attempts("1", "2", "2")).score == Decimal("1.67")
    assert grading.grade("average", attempts("0.01", "0.02")).score == Decimal("0.02")


def test_grade_is_provisional_when_the_attempt_it_comes_from_is():
    scores = attempts(4, 9, 6, provisional={0})
    assert not grading.grade("highest", scores).is_provisional
    assert grading.grade("first", scores).is_provisional
    assert not grading.grade("last", scores).is_provisional
    assert grading.grade("average", scores).is_provisional


def test_highest_of_equal_scores_is_the_earliest():
    scores = attempts(7, 7, provisional={1})
    assert not grading.grade("highest", scores).is_provisional


def test_percent_of_the_maximum():
    assert grading.grade("first", attempts("7.5")).percent == Decimal("75.00")
    empty = AttemptScore(MONDAY, Decimal(0), Decimal(0))
    assert grading.grade("first", [empty]).percent is None


scores = st.lists(
    st.decimals(min_value=0, max_value=10, places=2).map(Decimal), min_size=1, max_size=8
)


@given(scores)
def test_every_method_gives_a_grade_between_the_lowest_and_highest_score(values):
    for method in grading.METHODS:
        grade = grading.grade(method, attempts(*values))
        assert min(values) <= grade.score <= max(values)


@given(scores)
def test_highest_is_never_below_first_last_or_average(values):
    best = grading.grade("highest", attempts(*values)).score
    for method in ("first", "last", "average"):
        assert grading.grade(method, attempts(*values)).score <= best
