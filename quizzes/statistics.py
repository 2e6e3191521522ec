"""Item statistics for one assignment's submitted attempts: plain functions on plain data.

The figures follow Moodle's quiz statistics, which teachers know:
- facility index: the mean score on a question as a share of its points (1 = everyone right);
- discrimination index: Pearson's correlation between the score on a question and the
  score on the rest of the test (total minus that question), across attempts;
- choice frequencies: how many attempts picked each choice;
- average time: mean seconds spent on the question by those who answered it.
An unanswered question in a submitted attempt scores 0; an answer still waiting for a
teacher is left out until it is marked.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import StatisticsError, correlation, fmean


@dataclass(frozen=True)
class Outcome:
    """One question in one submitted attempt."""

    points: Decimal | None  # None: waits for a teacher
    answer: object = None  # as the Response stores it; None when not answered
    seconds: int = 0


@dataclass
class QuestionSummary:
    attempts: int  # submitted attempts counted
    answered: int
    waiting: int  # answers still waiting for a teacher, left out of the figures
    facility: float | None
    discrimination: float | None
    average_seconds: float | None
    choice_counts: dict[int, int] = field(default_factory=dict)


def facility_index(points: Sequence[Decimal], max_points: Decimal) -> float | None:
    """Mean score / max points, from 0 (nobody scored) to 1 (everyone got full marks)."""
    if not points or not max_points:
        return None
    return float(sum(points) / len(points) / max_points)


def discrimination_index(
    question_points: Sequence[Decimal], totals: Sequence[Decimal]
) -> float | None:
    """Correlation of the question's score with the rest of the test (total - question).

    From -1 to 1: high when students who did well elsewhere also did well here.
    None with fewer than two scores, or when either side doesn't vary.
    """
    if len(question_points) != len(totals):
        raise ValueError("Each question score needs the total of the same attempt.")
    if len(question_points) < 2:
        return None
    rest = [float(total - points) for points, total in zip(question_points, totals, strict=True)]
    try:
        return correlation([float(p) for p in question_points], rest)
    except StatisticsError:  # one side is constant
        return None


def choice_frequencies(answers: Iterable[object], choice_ids: Iterable[int]) -> dict[int, int]:
    """How many answers picked each choice; an answer is one id or a list of ids."""
    counts = dict.fromkeys(choice_ids, 0)
    for answer in answers:
        picked = answer if isinstance(answer, list) else [answer]
        for choice_id in set(picked):
            if choice_id in counts:
                counts[choice_id] += 1
    return counts


def text_frequencies(answers: Iterable[str], top: int = 5) -> list[tuple[str, int]]:
    """The most frequent typed answers (spacing and case ignored), most frequent first."""
    counts = Counter(" ".join(str(a).split()).casefold() for a in answers)
    return counts.most_common(top)


def average_time(seconds: Sequence[int]) -> float | None:
    return fmean(seconds) if seconds else None


def summarise_question(
    max_points: Decimal,
    outcomes: Mapping[int, Outcome | None],
    totals: Mapping[int, Decimal],
    choice_ids: Sequence[int] = (),
) -> QuestionSummary:
    """All figures for one question.

    `outcomes` has every submitted attempt's id, with None where the attempt has no answer
    to this question; `totals` has each attempt's total score.
    """
    scored = {
        attempt: (outcome.points if outcome else Decimal(0))
        for attempt, outcome in outcomes.items()
        if outcome is None or outcome.points is not None
    }
    answered = [o for o in outcomes.values() if o is not None and o.answer is not None]
    return QuestionSummary(
        attempts=len(outcomes),
        answered=len(answered),
        waiting=len(outcomes) - len(scored),
        facility=facility_index(list(scored.values()), max_points),
        discrimination=discrimination_index(
            list(scored.values()), [totals[attempt] for attempt in scored]
        ),
        average_seconds=average_time([o.seconds for o in answered]),
        choice_counts=choice_frequencies([o.answer for o in answered], choice_ids)
        if choice_ids
        else {},
    )


def histogram(percentages: Iterable[float], bins: int = 10) -> list[int]:
    """How many scores fall in each of `bins` equal bands of 0-100 %; 100 % is in the top one."""
    counts = [0] * bins
    for percent in percentages:
        band = min(int(max(percent, 0) * bins // 100), bins - 1)
        counts[band] += 1
    return counts
