import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quizzes import content_cache, marking
from quizzes.models import Attempt, Question, Quiz

# No 0/O, 1/I/L: codes are read aloud and copied from a board.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# Long enough that guessing is hopeless under the limits on wrong codes (quizsite/ratelimit.py:
# 300 per IP and 10 per account an hour). 31**8 ≈ 8.5e11 codes; with 300 classes a guess
# hits one with chance 300 / 8.5e11 ≈ 3.5e-10. A year of guessing at the per-IP maximum is
# 300 × 8,760 h ≈ 2.6 million guesses: about a 0.09 % chance (1 in 1,100) of finding any
# class; one account alone (87,600 guesses) has 0.003 %. Six characters (8.9e8 codes)
# gave one IP a 59 % chance in that year. Shorter codes made earlier still work.
JOIN_CODE_LENGTH = 8
PRACTICE_QUIZ_IS_PUBLIC = _(
    "A lesson's practice quiz can't be assigned: anyone may take it without an account and "
    "see its right answers. Choose another quiz on the lesson."
)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class ClassroomQuerySet(models.QuerySet):
    def for_teacher(self, user):
        return self if user.is_superuser else self.filter(teachers=user)


class Classroom(models.Model):
    name = models.CharField(_("name"), max_length=200)
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="classrooms_taught",
        verbose_name=_("teachers"),
        help_text=_("Every teacher of the class sees and marks all its students' work."),
    )
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Enrollment",
        related_name="classrooms",
        verbose_name=_("students"),
    )
    join_code = models.CharField(
        _("join code"),
        max_length=12,
        unique=True,
        default=new_join_code,
        help_text=_("Students type this at /join/ to enter the class."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")

    def __str__(self):
        return self.name

    def regenerate_join_code(self):
        self.join_code = new_join_code()
        self.save(update_fields=["join_code"])


class EnrollmentQuerySet(models.QuerySet):
    def for_teacher(self, user):
        return self if user.is_superuser else self.filter(classroom__teachers=user)

    def password_resettable_by(self, teacher):
        """Enrollments of students `teacher` may give a new password: students (never a
        staff account) who joined one of the teacher's classes with its code or came in
        from the teacher's class list. Adding an account by its username gives a teacher
        no more than that account joining would: it never hands over its password."""
        helped = (
            Enrollment.objects.for_teacher(teacher)
            .exclude(origin__in=[Enrollment.Origin.USERNAME, Enrollment.Origin.LMS])
            .values("student")
        )
        return self.filter(student__in=helped, student__is_staff=False, student__is_superuser=False)


class Enrollment(models.Model):
    class Origin(models.TextChoices):
        """How a student came into the class, which decides whether its teachers may give
        them a new password: a student who joined with the code, or whose account a
        teacher made from a class list, is the class's to help; an account a teacher
        added by its username may belong to other classes, and stays its owner's."""

        JOIN_CODE = "code", _("with the class code")
        CLASS_LIST = "list", _("from a class list")
        USERNAME = "username", _("added by username")
        # Signs in through its LMS, never with a password here (lti).
        LMS = "lms", _("from an LMS course")

    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("class")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("student"),
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    origin = models.CharField(_("came in"), max_length=10, choices=Origin, default=Origin.JOIN_CODE)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["classroom", "student__username"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["classroom", "student"], name="one_enrollment_per_student"
            )
        ]

    def __str__(self):
        return f"{self.student} in {self.classroom}"


class AssignmentQuerySet(models.QuerySet):
    def for_student(self, user):
        return self.filter(classroom__enrollments__student=user)

    def for_teacher(self, user):
        return self if user.is_superuser else self.filter(classroom__teachers=user)


class Assignment(models.Model):
    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", _("Highest attempt")
        LAST = "last", _("Last attempt")
        FIRST = "first", _("First attempt")
        AVERAGE = "average", _("Average of attempts")

    class FeedbackMode(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediate: feedback after each answer")
        DEFERRED = "deferred", _("Deferred: feedback after submitting")

    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("class")
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("quiz")
    )
    opens_at = models.DateTimeField(
        _("opens"), null=True, blank=True, help_text=_("Empty: open as soon as it is saved.")
    )
    due_at = models.DateTimeField(
        _("due"), null=True, blank=True, help_text=_("Empty: no due date.")
    )
    time_limit = models.DurationField(
        _("time limit"),
        null=True,
        blank=True,
        help_text=_("Empty for no limit. In minutes, or as you would say it: 20, 45 min, 1 h 30."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), null=True, blank=True, default=1, help_text=_("Empty for unlimited.")
    )
    grading_method = models.CharField(
        _("grading method"), max_length=10, choices=GradingMethod, default=GradingMethod.HIGHEST
    )
    feedback_mode = models.CharField(
        _("feedback mode"), max_length=10, choices=FeedbackMode, default=FeedbackMode.DEFERRED
    )
    review_shows_answers = models.BooleanField(
        _("show right answers on review"),
        default=True,
        help_text=_("After submitting, students see the right answers and explanations."),
    )
    review_shows_verdicts = models.BooleanField(
        _("show whether each answer was right"),
        default=True,
        help_text=_(
            "After submitting, students see which answers were right, partly right or wrong, "
            "and the points of each. Off: only their total score and their own answers, so a "
            "next attempt can't be corrected question by question."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Older versions of the quiz's questions that this assignment's attempts keep showing
    # (and are scored against) after someone changed the questions: see
    # Question.keep_previous and adopt_current_versions.
    kept_versions = models.ManyToManyField(
        "quizzes.Question",
        blank=True,
        related_name="kept_by",
        verbose_name=_("older question versions kept"),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["classroom", "due_at", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self):
        return f"{self.quiz} – {self.classroom}"

    def clean(self):
        if self.quiz_id and self.quiz.is_practice:
            raise ValidationError({"quiz": PRACTICE_QUIZ_IS_PUBLIC})
        if self.opens_at and self.due_at and self.due_at <= self.opens_at:
            raise ValidationError({"due_at": _("The due date must come after the opening date.")})
        if self.time_limit is not None and self.time_limit <= timedelta(0):
            raise ValidationError({"time_limit": _("A time limit must be longer than zero.")})
        if not self.review_shows_verdicts:
            if self.feedback_mode == self.FeedbackMode.IMMEDIATE:
                raise ValidationError(
                    {
                        "review_shows_verdicts": _(
                            "Immediate feedback shows whether each answer was right as it is "
                            "checked. To hide it, choose deferred feedback."
                        )
                    }
                )
            if self.review_shows_answers:
                raise ValidationError(
                    {
                        "review_shows_verdicts": _(
                            "The right answers beside the student's show whether each was "
                            "right. To hide it, hide the right answers too."
                        )
                    }
                )

    def newer_versions(self) -> list[tuple[Question, Question]]:
        """(the version kept, the current one) of each question of which this assignment
        keeps an older version."""
        kept = list(self.kept_versions.all())
        current = Question.objects.current().filter(key__in=[question.key for question in kept])
        current = {question.key: question for question in current.prefetch_related("choices")}
        return [(old, current[old.key]) for old in kept if old.key in current]

    def move_to_current_versions(self, *, by, dry_run=True, progress=None) -> list:
        """Show the current version of every question from now on, and move the answers
        already given over to it, scored against it (marking.move_answers): with `dry_run`,
        only what would change. [(kept, current, marking.RegradeReport)].

        One question at a time, each in a transaction of its own: between two, every
        attempt shows each question in the version its answers name. `progress` (a
        background.Task) counts the questions moved; a move stopped halfway, run again,
        moves the questions left."""
        if dry_run:
            attempts = self.attempts.all()
            return [
                (old, current, marking.move_answers(current, attempts, by=by, dry_run=True))
                for old, current in self.newer_versions()
            ]
        newer = self.newer_versions()
        if progress:
            progress.begin(total=progress.done + len(newer), done=progress.done)
        moves = []
        for old, current in newer:
            with transaction.atomic():
                # Locked, so that two moves at once move each question once.
                Assignment.objects.select_for_update().get(pk=self.pk)
                if not self.kept_versions.filter(pk=old.pk).exists():
                    continue
                self.kept_versions.remove(old)
                content_cache.outdate(Quiz.objects.filter(pk=self.quiz_id))
                report = marking.move_answers(current, self.attempts.all(), by=by, dry_run=False)
                if progress:
                    progress.advance(changed=len(report.changes))
            moves.append((old, current, report))
        return moves

    @property
    def feedback_is_immediate(self) -> bool:
        """Part of quizzes.models.FeedbackSettings, which an attempt asks its assignment."""
        return self.feedback_mode == self.FeedbackMode.IMMEDIATE

    def refresh_deadlines(self) -> int:
        """Give attempts in progress the deadline today's rules and overrides set; how many
        changed."""
        changed = 0
        for attempt in self.attempts.in_progress().select_related("user"):
            deadline = self.rules_for(attempt.user).deadline_from(attempt.started_at)
            if deadline != attempt.deadline:
                attempt.deadline = deadline
                attempt.save(update_fields=["deadline"])
                changed += 1
        return changed

    def open_attempt_for(self, student) -> tuple[Attempt | None, str]:
        """The student's attempt in progress, or a new one if the rules allow; otherwise
        None and why not, in words for the student (who is one of the class's students)."""
        with transaction.atomic():
            # Lock the enrollment so a double click can't start two attempts at once.
            Enrollment.objects.select_for_update().filter(
                classroom=self.classroom_id, student=student
            ).first()
            attempts = Attempt.objects.filter(user=student, assignment=self)
            attempts.close_expired()
            attempt = attempts.in_progress().first()
            if attempt is not None:
                return attempt, ""
            rules = self.rules_for(student)
            refusal = rules.refusal(attempts_made=attempts.count())
            if refusal:
                return None, refusal
            now = timezone.now()
            return Attempt.objects.create(
                quiz=self.quiz,
                assignment=self,
                user=student,
                max_score=self.quiz.max_score,
                started_at=now,
                last_seen_at=now,
                deadline=rules.deadline_from(now),
            ), ""

    def rules_for(self, student) -> "Rules":
        """This assignment's settings for one student, overrides applied."""
        # From overrides.all() so that a page prefetching them asks no query per assignment.
        override = next((o for o in self.overrides.all() if o.student_id == student.pk), None)
        due_at = self.due_at
        time_limit = self.time_limit
        attempts_allowed = self.attempts_allowed
        if override:
            due_at = override.due_at or due_at
            if override.extra_time and time_limit:
                time_limit += override.extra_time
            if attempts_allowed is not None:
                attempts_allowed += override.extra_attempts
        return Rules(self.opens_at, due_at, time_limit, attempts_allowed)


class Rules:
    """The settings that apply to one student's attempts at one assignment."""

    def __init__(self, opens_at, due_at, time_limit, attempts_allowed):
        self.opens_at = opens_at
        self.due_at = due_at
        self.time_limit = time_limit
        self.attempts_allowed = attempts_allowed

    def deadline_from(self, start):
        """When an attempt started at `start` must end: time limit or due date, whichever first."""
        ends = [t for t in (self.due_at, start + self.time_limit if self.time_limit else None) if t]
        return min(ends) if ends else None

    def refusal(self, attempts_made: int, now=None):
        """Why a new attempt can't start now, or None when it can."""
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return _("This quiz opens on %(date)s.") % {"date": timezone.localtime(self.opens_at)}
        if self.due_at and now >= self.due_at:
            return _("This quiz was due on %(date)s; it no longer takes attempts.") % {
                "date": timezone.localtime(self.due_at)
            }
        if self.attempts_allowed is not None and attempts_made >= self.attempts_allowed:
            return _("You have used all %(count)s of your attempts.") % {
                "count": self.attempts_allowed
            }
        return None


class Override(models.Model):
    """A per-student accommodation: extra time, a later due date, extra attempts."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("assignment")
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignment_overrides",
        verbose_name=_("student"),
    )
    extra_time = models.DurationField(
        _("extra time"),
        null=True,
        blank=True,
        help_text=_("Added to the time limit: 10, 15 min, 1 h."),
    )
    due_at = models.DateTimeField(_("due (for this student)"), null=True, blank=True)
    extra_attempts = models.PositiveSmallIntegerField(_("extra attempts"), default=0)

    class Meta:
        ordering = ["assignment", "student__username"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="one_override_per_student"
            ),
            models.CheckConstraint(
                condition=Q(extra_time__isnull=True) | Q(extra_time__gt=timedelta(0)),
                name="override_extra_time_positive",
            ),
        ]

    def __str__(self):
        return f"{self.student} – {self.assignment}"

    def clean(self):
        if self.due_at and self.due_at <= timezone.now():
            raise ValidationError({"due_at": _("A later due date must be in the future.")})


class RosterImport(models.Model):
    """Accounts made from a class list, one by one in the background (classrooms.tasks):
    a list of hundreds takes minutes, one password hash each. Every student is created in
    a transaction of its own with its ImportedStudent, so an import stopped halfway (a
    worker killed) goes on from where it stopped, without doubles, when run again."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Creating accounts")
        FINISHED = "finished", _("Finished")

    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, related_name="roster_imports", verbose_name=_("class")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("started by"),
    )
    rows = models.JSONField(_("students to create"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    # Written with every student made: an import whose worker stopped shows no sign of life,
    # and the worker's housekeeping starts it again (classrooms.tasks.restart_stalled).
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("class list import")
        verbose_name_plural = _("class list imports")

    def __str__(self):
        return f"{self.classroom} – {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED


class ImportedStudent(models.Model):
    """A student a RosterImport made, with the first password sealed (quizsite.sealed)
    until the teacher has it: they say so, or a day passes."""

    roster_import = models.ForeignKey(
        RosterImport, on_delete=models.CASCADE, related_name="students"
    )
    line = models.PositiveIntegerField()
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    sealed_password = models.TextField(blank=True)

    class Meta:
        ordering = ["roster_import", "line"]
        constraints = [
            models.UniqueConstraint(fields=["roster_import", "line"], name="one_student_per_line")
        ]

    def __str__(self):
        return f"{self.roster_import}: line {self.line}"


class WorkerHeartbeat(models.Model):
    """When each background worker last showed it is alive (manage.py worker --status)."""

    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.worker_id}: {self.seen_at:%Y-%m-%d %H:%M:%S}"
