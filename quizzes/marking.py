"""Changing scores after the fact: marking by hand, overriding, regrading.

Every change of a response's points writes a ScoreChange (who, when, old, new, why)
and totals the attempt again. A submitted attempt is locked while its scores change,
so two teachers marking the same attempt at once both end up in its total.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from quizzes import kinds, scoring
from quizzes.models import Attempt, Question, Response, ScoreChange

CENT = Decimal("0.01")


def points_text(points: Decimal | None) -> str:
    """2.50 as "2.5", 1.00 as "1": points as a teacher writes them; "—" for none."""
    return "—" if points is None else f"{points.normalize():f}"


def waiting_for_teacher(prefix: str = "") -> Q:
    """Responses in the marking queue: submitted answers with no score yet, or to check.

    `prefix` leads from another model to the response, e.g. "attempts__responses__".
    """
    answered = Q(
        **{f"{prefix}attempt__submitted_at__isnull": False, f"{prefix}answer__isnull": False}
    )
    return answered & (
        Q(**{f"{prefix}points__isnull": True}) | Q(**{f"{prefix}needs_review": True})
    )


def check_points(points: Decimal | None, question: Question) -> Decimal:
    """`points` if a teacher may give them for this question; ValidationError otherwise."""
    if points is None:
        raise ValidationError(_("Enter the points."), code="required")
    if not isinstance(points, Decimal) or not points.is_finite():
        raise ValidationError(_("Enter a number."), code="invalid")
    if points < 0:
        raise ValidationError(_("Points can't be negative."), code="negative")
    if points > question.points:
        raise ValidationError(
            _("This question is worth at most %(max)s points.") % {"max": question.points},
            code="over_maximum",
        )
    if points != points.quantize(CENT):
        raise ValidationError(_("Use at most two decimal places."), code="precision")
    return points


@transaction.atomic
def mark(response: Response, points: Decimal, *, by, comment: str | None = None) -> Response:
    """A teacher's score for an answer that waited for one (an essay, or a score to check)."""
    return _set_points(response, points, by=by, reason=_("Marked by hand"), comment=comment)


@transaction.atomic
def override(
    response: Response, points: Decimal, *, by, reason: str, comment: str | None = None
) -> Response:
    """Replace any score, automatic or not; the reason is kept with the change."""
    if not reason or not reason.strip():
        raise ValidationError(_("Say why the score changes."), code="reason_required")
    return _set_points(response, points, by=by, reason=reason.strip(), comment=comment)


def _set_points(response, points, *, by, reason, comment) -> Response:
    attempt = Attempt.objects.select_for_update().get(pk=response.attempt_id)
    if not attempt.is_submitted:
        raise ValidationError(
            _("The student is still answering; mark this answer after they submit."),
            code="not_submitted",
        )
    current = Response.objects.select_related("question").get(pk=response.pk)
    new = check_points(points, current.question)
    if current.points != new:
        ScoreChange.objects.create(
            response=current,
            changed_by=by,
            old_points=current.points,
            new_points=new,
            reason=reason,
        )
    current.points = new
    current.needs_review = False
    if comment is not None:
        current.comment = comment
    current.save(update_fields=["points", "needs_review", "comment"])
    _total(attempt)
    return current


def _total(attempt: Attempt) -> None:
    attempt.update_score()
    attempt.save(update_fields=["score", "max_score", "is_provisional"])


@dataclass(frozen=True)
class Rescore:
    response: Response
    old: Decimal | None
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - (self.old or 0)


@dataclass
class RegradeReport:
    """What a regrade changes (or changed): one Rescore per response whose points differ."""

    answers: int = 0  # answers looked at
    checked: int = 0  # answers scored again
    unfit: int = 0  # answers that no longer fit the key (a choice was removed): they score 0
    kept: int = 0  # answers a teacher scored by hand: their judgement stands
    changes: list[Rescore] = field(default_factory=list)

    @property
    def attempts(self) -> int:
        return len({change.response.attempt_id for change in self.changes})

    def add(self, other: "RegradeReport") -> None:
        """Count in what another part of the same regrade did."""
        self.answers += other.answers
        self.checked += other.checked
        self.unfit += other.unfit
        self.kept += other.kept
        self.changes += other.changes

    @property
    def total_delta(self) -> Decimal:
        return sum((change.delta for change in self.changes), Decimal(0))

    @property
    def raised(self) -> int:
        return sum(1 for change in self.changes if change.delta > 0)

    @property
    def lowered(self) -> int:
        return sum(1 for change in self.changes if change.delta < 0)


# Attempts regraded in one transaction when a regrade runs in the background.
REGRADE_BATCH = 50


def regrade(
    question: Question, attempts, *, by, dry_run: bool = True, progress=None
) -> RegradeReport:
    """Score the answers to `question` in `attempts` again, with its current key and points.

    `attempts` is the queryset the caller may change (a teacher's own classes). With
    `dry_run` nothing is written. Essays keep their teacher's marks. Totals of submitted
    attempts follow, their maximum too when the question's points changed; attempts in
    progress are totalled when they are submitted.

    With `progress` (a background.Task), it goes REGRADE_BATCH attempts at a time, each
    batch in a transaction of its own that counts it done, so the teacher sees it move. A
    regrade stopped halfway keeps the batches it committed; run again, it finds their
    scores already right and changes nothing twice.
    """
    responses = Response.objects.filter(question=question)
    reason = _("Regraded after the answer key changed")
    if progress is None or dry_run:
        return _rescore(question, attempts, responses, by=by, dry_run=dry_run, reason=reason)
    attempts = attempts.filter(quiz_id=question.quiz_id)
    ids = list(attempts.order_by("pk").values_list("pk", flat=True))
    progress.begin(total=len(ids))
    report = RegradeReport()
    for start in range(0, len(ids), REGRADE_BATCH):
        batch = ids[start : start + REGRADE_BATCH]
        with transaction.atomic():
            part = _rescore(
                question,
                attempts.filter(pk__in=batch),
                responses,
                by=by,
                dry_run=False,
                reason=reason,
            )
            progress.advance(len(batch), changed=len(part.changes), attempts=part.attempts)
        report.add(part)
    return report


def move_answers(question: Question, attempts, *, by, dry_run: bool = True) -> RegradeReport:
    """Move the answers in `attempts` to other versions of `question` over to it, and
    score them against it, as regrade() does: each answer names the same choices in the
    new version (Choice.lineage); one naming a choice the new version dropped, or given to
    a question of another kind, no longer fits and scores 0."""
    responses = Response.objects.filter(question__key=question.key).exclude(question=question)
    reason = _("Moved to version %(version)s of the question") % {"version": question.version}
    return _rescore(question, attempts, responses, by=by, dry_run=dry_run, reason=reason)


def carried_answers(question: Question, responses) -> dict[int, object]:
    """{response id: its answer in `question`'s version}: None where it doesn't fit."""
    moved_by_version = {}
    carried = {}
    for response in responses:
        if response.question_id == question.pk:
            carried[response.pk] = response.answer
            continue
        older = response.question
        if older.kind != question.kind:
            carried[response.pk] = None
            continue
        if older.pk not in moved_by_version:
            lineages = {choice.pk: choice.lineage for choice in older.choices.all()}
            moved_by_version[older.pk] = question.version_of_choice(lineages)
        carried[response.pk] = question.kind_rules.carry(
            response.answer, moved_by_version[older.pk]
        )
    return carried


def _rescore(question, attempts, responses, *, by, dry_run, reason) -> RegradeReport:
    key = question.answer_key()
    report = RegradeReport()
    attempts = attempts.filter(quiz_id=question.quiz_id)
    with transaction.atomic():
        if not dry_run:
            # Lock the attempts first, as marking does, so no total misses a change.
            list(attempts.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
        responses = list(
            responses.filter(attempt__in=attempts, answer__isnull=False)
            .annotate(
                hand_marked=Exists(
                    ScoreChange.objects.filter(response=OuterRef("pk"), by_hand=True)
                )
            )
            .select_related("attempt__user", "attempt__assignment__classroom", "question")
            .prefetch_related("question__choices")
            .order_by("attempt__user__username", "attempt__started_at")
        )
        carried = carried_answers(question, responses)
        report.answers = len(responses)
        for response in responses:
            answer = carried[response.pk]
            if answer is not None:
                response.answer = answer  # in the version it is scored against
            if not question.kind_rules.scored:
                new = response.points  # a teacher marks it, or has
            elif response.hand_marked:
                report.kept += 1
                new = response.points
            else:
                report.checked += 1
                try:
                    new = kinds.score(key, kinds.clean_answer(key, answer), question.points)
                except scoring.InvalidAnswer:
                    report.unfit += 1
                    new = Decimal(0)
            if new != response.points:
                report.changes.append(Rescore(response, response.points, new))
        if dry_run:
            return report
        for response in responses:
            if response.question_id != question.pk:
                response.question = question
                response.save(update_fields=["question", "answer"])
        for change in report.changes:
            change.response.points = change.new
            change.response.save(update_fields=["points"])
        ScoreChange.objects.bulk_create(
            ScoreChange(
                response=change.response,
                changed_by=by,
                old_points=change.old,
                new_points=change.new,
                reason=reason,
                by_hand=False,
            )
            for change in report.changes
        )
        touched = {change.response.attempt_id for change in report.changes}
        full_marks = {}  # the attempts of one assignment show the same questions
        for attempt in attempts.submitted():
            if attempt.assignment_id not in full_marks:
                full_marks[attempt.assignment_id] = attempt.full_marks()
            if attempt.pk in touched or attempt.max_score != full_marks[attempt.assignment_id]:
                _total(attempt)
    return report
