"""What an assignment's statistics page shows: the score distribution as a chart, and per
question how it did (the maths is quizzes.statistics; this gathers the rows for it)."""

import statistics as stdlib_statistics
from dataclasses import dataclass

from quizzes import statistics
from quizzes.models import Question, Response

CHART_WIDTH, CHART_HEIGHT, CHART_BASE = 600, 180, 200


@dataclass
class QuestionRow:
    question: Question
    summary: statistics.QuestionSummary
    choices: list[dict]
    typed: list[tuple[str, int]]


def chart_bars(counts: list[int]) -> list[dict]:
    """Bars of the score chart in SVG coordinates, tallest bar filling the height."""
    top = max(counts, default=0) or 1
    band = 100 // len(counts)
    step = CHART_WIDTH / len(counts)
    bars = []
    for i, count in enumerate(counts):
        height = round(count / top * CHART_HEIGHT, 1)
        bars.append(
            {
                "x": round(i * step + 3, 1),
                "width": round(step - 6, 1),
                "y": round(CHART_BASE - height, 1),
                "height": height,
                "count": count,
                "count_y": round(CHART_BASE - height - 5, 1),
                "label_x": round(i * step + step / 2, 1),
                "label": f"{i * band}–{(i + 1) * band}",
            }
        )
    return bars


def assignment_statistics(assignment) -> dict:
    """The page's numbers: attempts and students counted, mean and median score (percent),
    the chart's bars and a row per question."""
    attempts = list(
        assignment.attempts.submitted()
        .filter(score__isnull=False)
        .values_list("pk", "user_id", "score", "max_score")
    )
    totals = {pk: score for pk, _user, score, _max in attempts}
    percents = [float(score / top * 100) for _pk, _user, score, top in attempts if top]
    questions = list(
        Question.objects.shown_in(assignment.quiz_id, assignment.pk).prefetch_related("choices")
    )
    outcomes = {q.pk: dict.fromkeys(totals) for q in questions}
    # Unordered: Response's default ordering joins the attempts and questions of the
    # whole school, which PostgreSQL then scans in full.
    answers = Response.objects.filter(attempt__in=list(totals), answer__isnull=False).order_by()
    for attempt_id, question_id, points, answer, seconds in answers.values_list(
        "attempt_id", "question_id", "points", "answer", "seconds_spent"
    ):
        if question_id in outcomes:
            outcomes[question_id][attempt_id] = statistics.Outcome(points, answer, seconds)
    return {
        "attempt_count": len(attempts),
        "student_count": len({user for _pk, user, _score, _max in attempts}),
        "mean": stdlib_statistics.fmean(percents) if percents else None,
        "median": stdlib_statistics.median(percents) if percents else None,
        "bars": chart_bars(statistics.histogram(percents)),
        "chart": {"width": CHART_WIDTH, "base": CHART_BASE, "label_y": CHART_BASE + 18},
        "rows": [question_row(q, outcomes[q.pk], totals) for q in questions],
    }


def question_row(question, outcomes, totals) -> QuestionRow:
    choices = list(question.choices.all())
    kind = question.kind_rules
    summary = statistics.summarise_question(
        question.points,
        outcomes,
        totals,
        [c.pk for c in choices] if kind.counts_choices else [],
    )
    answered = summary.answered or 1
    return QuestionRow(
        question,
        summary,
        [
            {
                "choice": c,
                "count": summary.choice_counts[c.pk],
                "percent": round(100 * summary.choice_counts[c.pk] / answered),
            }
            for c in choices
        ]
        if kind.counts_choices
        else [],
        statistics.text_frequencies(
            o.answer for o in outcomes.values() if o and o.answer is not None
        )
        if kind.counts_texts
        else [],
    )
