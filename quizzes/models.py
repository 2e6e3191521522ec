import copy
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.db import connections, models, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lessons.bilingual import CHINESE, ENGLISH, Bilingual
from lessons.markdown import DESCRIPTION_MAX_LENGTH, EXPLANATION_MAX_LENGTH, MaxMarkdownLength
from lessons.models import Section
from quizzes import kinds, scoring


class QuizQuerySet(models.QuerySet):
    def editable_by(self, user):
        """The quizzes `user` may change: their own; every quiz for a superuser. The shipped
        bank has no owners, so only superusers edit it."""
        return self if user.is_superuser else self.filter(owners=user)


class QuizManager(models.Manager.from_queryset(QuizQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Quiz(Bilingual, models.Model):
    lesson = models.ForeignKey(
        "lessons.Lesson", on_delete=models.CASCADE, related_name="quizzes", verbose_name=_("lesson")
    )
    title = models.CharField(_("title"), max_length=200)
    title_zh = models.CharField(_("title in Chinese"), max_length=200, blank=True, db_default="")
    slug = models.SlugField(
        _("web address"),
        unique=True,
        help_text=_("The end of the quiz's address, /quizzes/…/: letters, numbers and dashes."),
    )
    description = models.TextField(
        _("description"), blank=True, validators=[MaxMarkdownLength(DESCRIPTION_MAX_LENGTH)]
    )
    description_zh = models.TextField(
        _("description in Chinese"),
        blank=True,
        db_default="",
        validators=[MaxMarkdownLength(DESCRIPTION_MAX_LENGTH)],
    )
    position = models.PositiveSmallIntegerField(
        _("order in the lesson"), default=0, help_text=_("Lower numbers come first.")
    )
    is_practice = models.BooleanField(
        _("practice quiz"),
        default=False,
        help_text=_("Anyone may try the lesson's practice quiz without an account."),
    )
    # A new random number with every change to the quiz's questions, choices or evidence:
    # cached copies are named after it, so a change makes them unreachable in its own
    # transaction. Random, not counted, so a database made afresh never meets the copies
    # of its predecessor still in Redis.
    content_version = models.PositiveIntegerField(default=scoring.new_seed, editable=False)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="owned_quizzes",
        verbose_name=_("owners"),
        help_text=_(
            "The teachers who may change this quiz. Other teachers may assign it or duplicate "
            "it; a quiz with no owners (the shipped ones) only a superuser may change."
        ),
    )

    objects = QuizManager()

    class Meta:
        ordering = ["lesson", "position", "title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.UniqueConstraint(
                fields=["lesson"],
                condition=Q(is_practice=True),
                name="one_practice_quiz_per_lesson",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("quizzes:quiz_detail", args=[self.slug])

    def clean(self):
        if not (self.is_practice and self.pk):
            return
        # Named, each with its class (one query), so the teacher knows whose classes to ask
        # about: at most five.
        if assignments := self.assignments.select_related("quiz", "classroom")[:6]:
            named = "; ".join(str(assignment) for assignment in assignments[:5])
            if len(assignments) > 5:
                named += " …"
            raise ValidationError(
                {
                    "is_practice": _(
                        "This quiz is assigned to classes (%(assignments)s), and anyone may "
                        "take a practice quiz and see its right answers. Make another quiz "
                        "the practice quiz."
                    )
                    % {"assignments": named}
                }
            )

    def natural_key(self):
        return (self.slug,)

    def has_graded_attempts(self) -> bool:
        """Whether a class has attempted it. Its questions then stay the ones they answered:
        each may change (as a new version), none is added or deleted, so no class's full
        marks change because someone grows or shrinks a quiz it has taken. A practice
        quiz (never assigned) stays open to new questions."""
        return self.attempts.filter(assignment__isnull=False).exists()

    def is_editable_by(self, user) -> bool:
        # owners.all(), not a filtered query: the admin asks several times a page, and its
        # queryset has the owners prefetched.
        return user.is_superuser or any(owner.pk == user.pk for owner in self.owners.all())

    @transaction.atomic
    def duplicate(self, owner) -> "Quiz":
        """A copy owned by `owner` alone, to change freely: every question with its answer
        key and cited sections, in the same order. Never a practice quiz, since its answers
        would be public and the lesson has one already."""
        copy = Quiz.objects.get(pk=self.pk)
        copy.pk = None
        copy.title = gettext("%(title)s (copy)") % {"title": self.title[:190]}
        if self.title_zh:
            with translation.override(CHINESE):
                copy.title_zh = gettext("%(title)s (copy)") % {"title": self.title_zh[:190]}
        copy.slug = unused_value(Quiz, "slug", f"{self.slug}-copy", max_length=50)
        copy.is_practice = False
        copy.content_version = scoring.new_seed()
        copy.save()
        copy.owners.set([owner])
        for question in self.questions.current().prefetch_related("choices", "also_cites"):
            choices, cited = list(question.choices.all()), list(question.also_cites.all())
            question.pk = None
            question.quiz = copy
            question.key = unused_value(Question, "key", f"{question.key}-copy", max_length=50)
            question.version = 1
            question.save()
            question.also_cites.set(cited)
            for choice in choices:
                choice.pk = None
                choice.question = question
                choice.origin = None
            Choice.objects.bulk_create(choices)
        return copy

    @property
    def max_score(self) -> Decimal:
        """What a full score is now: the points of the current versions."""
        return self.questions.current().aggregate(total=Sum("points"))["total"] or Decimal(0)


def unused_value(model, field: str, wanted: str, max_length: int) -> str:
    """`wanted`, or it with a number after it, so that no row of `model` has it in `field`."""
    similar = model.objects.filter(**{f"{field}__startswith": wanted[: max_length - 10]})
    taken = set(similar.values_list(field, flat=True))
    candidate, number = wanted[:max_length], 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = wanted[: max_length - len(suffix)] + suffix
    return candidate


class QuestionQuerySet(models.QuerySet):
    def current(self):
        """The versions a quiz shows now (an older version stays for the attempts that
        showed it, and for the assignments that keep it)."""
        return self.filter(is_current=True)

    def shown_in(self, quiz_id, assignment_id=None):
        """The questions an attempt at the quiz shows, in order: the current versions,
        but where the attempt's assignment keeps an older version (see
        classrooms.Assignment.kept_versions), that one. So another teacher's edit never
        changes what a class answers, nor how its answers score, until its own teacher
        moves the assignment on."""
        current = Q(quiz_id=quiz_id, is_current=True)
        if assignment_id is None:
            return self.filter(current)
        kept = Question.kept_by.through.objects.filter(assignment_id=assignment_id)
        another_kept = kept.filter(question__key=OuterRef("key"))
        return self.filter(
            (current & ~Exists(another_kept))
            | Q(quiz_id=quiz_id, pk__in=kept.values("question_id"))
        )

    def for_feedback(self):
        """With what a question page and its feedback show: choices and cited sections."""
        return self.select_related("evidence__lesson").prefetch_related(
            "choices",
            models.Prefetch("also_cites", queryset=Section.objects.select_related("lesson")),
        )


class QuestionManager(models.Manager.from_queryset(QuestionQuerySet)):
    def get_by_natural_key(self, key, version=1):
        # Fixtures name a question by its key alone: they hold the first version.
        return self.get(key=key, version=version)


QUESTIONS_FIXED = _(
    "Classes have attempted this quiz, so it keeps the questions they answered: change one "
    "(it becomes a new version), or duplicate the quiz to add or remove questions."
)


class Question(models.Model):
    # The registry's kinds by name (Question.Kind.<VALUE>), for code that builds questions.
    Kind = models.TextChoices(
        "Kind", [(value.upper(), (value, label)) for value, label in kinds.choices()]
    )

    class Level(models.TextChoices):
        RECALL = "recall", _("Recall")
        INFERENCE = "inference", _("Inference")
        ANALYSIS = "analysis", _("Analysis")

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("quiz")
    )
    key = models.SlugField(
        _("short name"),
        help_text=_(
            "A name of your choosing, different from every other question's (letters, "
            "numbers and dashes, e.g. wolf-amendment-year): it keeps the question recognisable "
            "when quizzes are copied between sites."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("number in the quiz"), default=0, help_text=_("Lower numbers come first.")
    )
    # Versions share the key. A change to a question that attempts have shown saves a new
    # version (new_version()); the older one stays as it was, read-only.
    version = models.PositiveSmallIntegerField(_("version"), default=1, editable=False)
    is_current = models.BooleanField(_("current version"), default=True, editable=False)
    kind = models.CharField(
        _("kind of question"), max_length=20, choices=kinds.choices, default=kinds.default
    )
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=Level,
        default=Level.RECALL,
        help_text=_(
            "Recall: the answer is in the text. Inference: it follows from the text. "
            "Analysis: it weighs or compares what the text says."
        ),
    )
    prompt = models.TextField(_("question"))
    prompt_zh = models.TextField(
        _("question in Chinese"),
        blank=True,
        default="",
        db_default="",
        help_text=_(
            "With it, pages in Chinese show the question in Chinese: then give its choices "
            "their Chinese too."
        ),
    )
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("What a fully right answer scores."),
    )
    explanation = models.TextField(
        _("explanation"),
        help_text=_(
            "Students see it with their feedback: why the right answer is right. Formatting "
            "as in lessons: a blank line starts a paragraph, *emphasis*, **bold**, lists."
        ),
        validators=[MaxMarkdownLength(EXPLANATION_MAX_LENGTH)],
    )
    explanation_zh = models.TextField(
        _("explanation in Chinese"),
        blank=True,
        default="",
        db_default="",
        validators=[MaxMarkdownLength(EXPLANATION_MAX_LENGTH)],
    )
    evidence = models.ForeignKey(
        "lessons.Section",
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("evidence"),
        help_text=_("The lesson section that supports the answer."),
    )
    also_cites = models.ManyToManyField(
        "lessons.Section",
        blank=True,
        related_name="also_cited_by",
        verbose_name=_("also cites"),
        help_text=_(
            "Other sections of the lesson the answer draws on, when the evidence is in "
            "more than one place. Feedback links to each."
        ),
    )
    shuffle = models.BooleanField(
        _("shuffle choices"),
        default=True,
        help_text=_(
            "Show choices and items in a different order for each attempt. Ordering items "
            "are always shuffled: shown as given, they would be the answer."
        ),
    )
    strict_text = models.BooleanField(
        _("exact text match"),
        default=False,
        help_text=_("Short text: compare case, punctuation and accents exactly."),
    )
    ignore_articles = models.BooleanField(
        _("ignore a leading article"),
        default=False,
        help_text=_(
            'Short text: an answer starting with "the", "a" or "an" matches without it '
            '("the State Department" is "State Department").'
        ),
    )
    synonyms = models.TextField(
        _("synonyms"),
        blank=True,
        max_length=1000,
        help_text=_(
            'Short text: forms that count as the same, one group per line, separated by "=" '
            "(U.S. = US = USA = United States). They match as whole words anywhere in an "
            "answer, so list only forms that mean the same in this question."
        ),
    )
    numeric_answer = models.DecimalField(
        _("numeric answer"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=14,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Numeric: answers this far from the value still count."),
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_zh = models.CharField(
        _("unit in Chinese"),
        max_length=20,
        blank=True,
        default="",
        db_default="",
        help_text=_("Numeric: accepted as the unit too (克, 千克, 年 need no listing)."),
    )
    unit_convertible = models.BooleanField(
        _("accept converted units"),
        default=False,
        help_text=_("Numeric: accept the same amount in a related unit (kg for g, km for m)."),
    )
    unit_words = models.CharField(
        _("other words for the unit"),
        max_length=200,
        blank=True,
        help_text=_(
            "Numeric: more ways to write the unit, comma-separated (rounds: round, rnd). "
            "Plurals and the words for common units (gram, kilogram, year…) need no listing."
        ),
    )

    objects = QuestionManager()

    class Meta:
        ordering = ["quiz", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"],
                name="question_version_unique",
                violation_error_message=_("Another question has this short name."),
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(is_current=True),
                name="one_current_version",
                violation_error_message=_("Another question has this short name."),
            ),
        ]

    # What language the question's texts are in: translated() makes copies in Chinese.
    shown_lang = ENGLISH

    def __str__(self):
        return self.prompt[:80]

    def save(self, *args, **kwargs):
        refuse_saving_translation(self)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.key, self.version)

    def translated(self, language: str | None = None) -> "Question":
        """The question as a page in `language` (the page's by default) shows it: itself,
        or, on a Chinese page when the question has its Chinese, a copy with the Chinese in
        its text fields and its choices'. The copy is for showing: answers are read and
        scored on the question itself, whose key accepts typed answers in either language,
        so a question scores the same whichever language a student reads it in."""
        if not self.prompt_zh or (language or translation.get_language()) != CHINESE:
            return self
        shown = copy.copy(self)
        shown.shown_lang, shown.in_english = CHINESE, self
        shown.prompt = self.prompt_zh
        shown.explanation = self.explanation_zh or self.explanation
        shown.unit = self.unit_zh or self.unit
        choices = self.choices.all()  # prefetched, or one query
        shown_choices = choices._chain()  # as prefetching caches them, so .all() reads these
        shown_choices._result_cache = [choice.translated() for choice in choices]
        shown_choices._prefetch_done = True
        cached = getattr(self, "_prefetched_objects_cache", {})
        shown._prefetched_objects_cache = {**cached, "choices": shown_choices}
        return shown

    def in_other_language(self) -> "Question | None":
        """The question in the language this copy isn't in, when it has both."""
        if self.shown_lang == CHINESE:
            return self.in_english
        return self.translated(CHINESE) if self.prompt_zh else None

    def chinese_problems(self) -> dict[str, str]:
        """A question shown in Chinese is whole in Chinese: a page marks it with one `lang`."""
        if not self.prompt_zh:
            return {}
        problems = {}
        if not self.explanation_zh:
            problems["explanation_zh"] = _("Give the explanation in Chinese too.")
        if self.unit and not self.unit_zh:
            problems["unit_zh"] = _("Give the unit in Chinese too.")
        return problems

    def is_in_use(self) -> bool:
        """Whether an attempt has shown this version: any attempt at its quiz may have,
        since every attempt shows each current question."""
        return self.responses.exists() or (
            self.is_current and Attempt.objects.filter(quiz_id=self.quiz_id).exists()
        )

    @transaction.atomic
    def new_version(self) -> "Question":
        """Save this changed question as its next version, and return the version it
        replaces, which stays as the database has it. The caller saves the choices
        (Choice.origin links each to its first version) and cited sections, then calls
        keep_previous(). Call it on a question `is_in_use()`; others change in place."""
        previous = Question.objects.select_for_update().get(pk=self.pk)
        if not previous.is_current:
            # Another change made a version from the same one while this was edited: saving
            # this one on top would silently undo it.
            raise PermissionDenied(gettext("A newer version was saved meanwhile."))
        Question.objects.filter(key=previous.key).update(is_current=False)
        latest = Question.objects.filter(key=previous.key).aggregate(n=models.Max("version"))
        self.pk, self.version, self.is_current = None, latest["n"] + 1, True
        self.save(force_insert=True)
        return previous

    def keep_previous(self, previous: "Question") -> list:
        """After new_version(): each assignment with attempts at this quiz keeps the version
        its class has been answering (unless it kept an older one already), so nobody's
        scores change until their teacher moves the assignment on. Practice attempts
        follow the new version: their answers move to it (marking.move_answers). Returns
        the assignments that keep the older version."""
        from quizzes import marking  # marking builds on this module

        kept = Question.kept_by.through
        keeping = (
            self.quiz.assignments.filter(attempts__isnull=False)
            .exclude(kept_versions__key=self.key)
            .distinct()
        )
        keeping = list(keeping.select_related("classroom"))
        kept.objects.bulk_create(
            kept(assignment_id=assignment.pk, question_id=previous.pk) for assignment in keeping
        )
        practice = Attempt.objects.filter(quiz_id=self.quiz_id, assignment__isnull=True)
        marking.move_answers(self, practice, by=None, dry_run=False)
        return keeping

    @transaction.atomic
    def accept_for_everyone(self, lineage: int | None, text: str) -> tuple:
        """Make `text` a right answer (of the choice of `lineage`, or a new one) in the
        question's current version, as a teacher's save would: a new version once attempts
        have shown it, which classes then move to from a dry run. Returns the current
        version, the one it replaced (None when changed in place) and the assignments that
        keep that one."""
        current = Question.objects.select_for_update().get(key=self.key, is_current=True)
        choices = list(current.choices.all())
        if current.is_in_use():
            previous = current.new_version()  # current is now the new version, unsaved choices
            for choice in choices:
                choice.carry_into(current)
        else:
            previous = None
        current.kind_rules.accept(
            choices, lineage, text, new_choice=partial(Choice, question=current)
        )
        for choice in choices:
            choice.save()
        if previous is None:
            return current, None, []
        current.also_cites.set(previous.also_cites.all())
        return current, previous, current.keep_previous(previous)

    def version_of_choice(self, choice_lineages) -> dict[int, int]:
        """{choice id in another version: id of the same choice in this one}, from the
        other version's {choice id: first version's id} (see Choice.lineage)."""
        here = {choice.lineage: choice.pk for choice in self.choices.all()}
        return {pk: here[lineage] for pk, lineage in choice_lineages.items() if lineage in here}

    @property
    def kind_rules(self) -> kinds.QuestionKind:
        """Everything that differs by this question's kind (quizzes.kinds)."""
        return kinds.get(self.kind)

    def clean(self):
        problems = self.kind_rules.question_problems(self) if self.kind in kinds.KINDS else {}
        problems = {**self.chinese_problems(), **problems}
        if problems:
            raise ValidationError(problems)
        if self.evidence_id and self.quiz_id and self.evidence.lesson_id != self.quiz.lesson_id:
            raise ValidationError({"evidence": _("The evidence must be a section of this lesson.")})

    def answer_display(self, answer) -> str:
        """A stored answer in words, for feedback and review."""
        return self.kind_rules.answer_display(self, answer)

    def key_display(self) -> str:
        """The right answer in words; empty for what a teacher marks."""
        return self.kind_rules.key_display(self)

    @property
    def prompt_text(self) -> str:
        """The question as review pages show it (never with an answer key in it)."""
        return self.kind_rules.prompt_text(self)

    def answer_key_problems(self, choices) -> list[str]:
        """Why these choices can't score this question; empty when they can.

        `choices` are unsaved-or-saved Choice objects, so the admin can check
        its inline forms before anything is written.
        """
        rules = self.kind_rules
        problems = rules.key_problems(self, choices)
        if self.prompt_zh:
            problems = [*problems, *rules.chinese_problems(self, choices)]
        return [str(problem) for problem in problems]

    def answer_key(self, choices=None) -> scoring.AnswerKey:
        """The plain answer key the scoring module works on."""
        choices = list(self.choices.all()) if choices is None else choices
        return scoring.AnswerKey(
            kind=self.kind,
            choices=tuple(
                scoring.KeyChoice(c.pk, c.text, c.is_correct, c.match_text, c.text_zh)
                for c in sorted(choices, key=lambda c: c.position)
            ),
            strict_text=self.strict_text,
            value=self.numeric_answer,
            tolerance=self.tolerance,
            unit=self.unit,
            unit_convertible=self.unit_convertible,
            unit_words=scoring.parse_unit_words(f"{self.unit_zh}, {self.unit_words}"),
            ignore_articles=self.ignore_articles,
            synonyms=scoring.parse_synonyms(self.synonyms),
        )

    @property
    def cited_sections(self) -> list:
        """The evidence first, then the other sections the answer draws on."""
        return [self.evidence, *self.also_cites.all()]


@receiver(pre_save, sender=Question)
def keep_replaced_versions_replaced(sender, instance, raw, **kwargs):
    """loaddata saves every field, the ones its file leaves out at their defaults: a first
    version that a fixture loads again stays replaced when a later version exists."""
    if raw and instance.pk:
        later = Question.objects.filter(key=instance.key, version__gt=instance.version)
        instance.is_current = not later.exists()


def refuse_saving_translation(shown):
    if shown.shown_lang != ENGLISH:
        raise TypeError("A translated copy is for showing: save the question itself.")


class ChoiceManager(models.Manager):
    def get_by_natural_key(self, question_key, position, version=1):
        return self.get(question__key=question_key, question__version=version, position=position)


class Choice(models.Model):
    """One option of a question; for ordering, `position` is the right order;
    for matching, `text` pairs with `match_text`; for short text, each correct
    choice is an accepted answer."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    position = models.PositiveSmallIntegerField(
        _("order"),
        default=0,
        help_text=_(
            "Ordering: the item's place in the right order. Otherwise the order choices are "
            "shown in when they aren't shuffled."
        ),
    )
    text = models.CharField(_("text"), max_length=300)
    text_zh = models.CharField(
        _("text in Chinese"), max_length=300, blank=True, default="", db_default=""
    )
    is_correct = models.BooleanField(_("correct"), default=False)
    match_text = models.CharField(
        _("matches"),
        max_length=300,
        blank=True,
        help_text=_("Matching: the item this one pairs with."),
    )
    match_text_zh = models.CharField(
        _("matches, in Chinese"), max_length=300, blank=True, default="", db_default=""
    )
    # In a later version of its question, the choice it continues (see lineage).
    origin = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    objects = ChoiceManager()

    class Meta:
        ordering = ["question", "position"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_position_unique")
        ]

    shown_lang = ENGLISH  # as Question's

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        refuse_saving_translation(self)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.question.key, self.position, self.question.version)

    def translated(self) -> "Choice":
        """A copy with the Chinese in its texts, where it has them (see Question.translated);
        `in_english` is the choice itself."""
        shown = copy.copy(self)
        shown.shown_lang, shown.in_english = CHINESE, self
        shown.text = self.text_zh or self.text
        shown.match_text = self.match_text_zh or self.match_text
        return shown

    natural_key.dependencies = ["quizzes.question"]

    @property
    def lineage(self) -> int:
        """The id this choice had in its question's first version: the same in every
        version, so an answer can move from one version to another."""
        return self.origin_id or self.pk

    def carry_into(self, version: "Question") -> None:
        """Make this choice (unsaved from here) its own continuation in a new version of
        its question: a row of its own, of the same lineage. A choice never saved starts
        a lineage of its own."""
        self.origin_id, self.pk, self.question = self.lineage, None, version


class AttemptClosed(Exception):
    """The attempt was submitted, or its time ran out, before this change could be saved."""


class AlreadyAnswered(Exception):
    """The question's first answer stands (immediate feedback) and it already has one."""


class FeedbackSettings(Protocol):
    """What an attempt asks of whatever set it: whether feedback comes as each answer is
    checked, and what the review shows. classrooms.Assignment answers it (Attempt.assignment
    is a relation by name), so quizzes needs no import of classrooms; a protocol rather than
    copies on the attempt keeps one source of truth that a teacher's change reaches at once,
    however the assignment is saved."""

    @property
    def feedback_is_immediate(self) -> bool: ...

    @property
    def review_shows_answers(self) -> bool: ...

    @property
    def review_shows_verdicts(self) -> bool: ...


@dataclass(frozen=True)
class PracticeFeedback:
    """Practice attempts teach as they go: feedback on every answer, a review that shows all."""

    feedback_is_immediate: bool = True
    review_shows_answers: bool = True
    review_shows_verdicts: bool = True


PRACTICE_FEEDBACK = PracticeFeedback()


class AttemptQuerySet(models.QuerySet):
    def for_teacher(self, user):
        """Attempts whose scores `user` may see and change: those of their classes.
        Practice attempts belong to no class, so only superusers see them."""
        return self if user.is_superuser else self.filter(assignment__classroom__teachers=user)

    def in_progress(self):
        return self.filter(submitted_at__isnull=True)

    def submitted(self):
        return self.filter(submitted_at__isnull=False)

    def expired(self, now=None):
        return self.in_progress().filter(deadline__lte=now or timezone.now())

    def close_expired(self) -> int:
        """Submit every attempt whose time ran out, with the answers saved in time."""
        closed = 0
        for attempt in self.expired():
            closed += attempt.close_if_expired()
        return closed


class Attempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attempts",
        null=True,
        blank=True,
        verbose_name=_("student"),
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz")
    )
    assignment = models.ForeignKey(
        "classrooms.Assignment",
        on_delete=models.PROTECT,
        related_name="attempts",
        null=True,
        blank=True,
        verbose_name=_("assignment"),
    )
    # Names the attempt in the student's addresses, unguessably (ids would be guessed).
    public_id = models.UUIDField(
        _("address on the student's pages"), default=uuid.uuid4, unique=True, editable=False
    )
    # Decides the order this attempt shows choices in.
    seed = models.PositiveIntegerField(
        _("order of the choices"), default=scoring.new_seed, editable=False
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    deadline = models.DateTimeField(
        _("deadline"), null=True, blank=True, help_text=_("Answers after this time are refused.")
    )
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("out of"), max_digits=7, decimal_places=2, default=0)
    is_provisional = models.BooleanField(
        _("waits for marking"),
        default=False,
        help_text=_("Some answers have no score yet: the score may still go up."),
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        indexes = [
            # Closing expired attempts (cron, every minute) looks only at the few in
            # progress, never at every attempt the school ever submitted.
            models.Index(
                fields=["deadline"],
                condition=Q(submitted_at__isnull=True),
                name="attempt_in_progress_deadline",
            )
        ]

    def __str__(self):
        if self.user is None:
            return f"{_('anonymous')} – {self.quiz}"
        return f"{self.user.get_full_name() or self.user.get_username()} – {self.quiz}"

    def get_absolute_url(self):
        return reverse("quizzes:attempt_detail", args=[self.public_id])

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def questions(self):
        """The questions this attempt shows, in the versions it shows (see shown_in), with
        what their pages and feedback need."""
        return self.shown_questions().for_feedback()

    def shown_questions(self):
        return Question.objects.shown_in(self.quiz_id, self.assignment_id)

    def full_marks(self) -> Decimal:
        return self.shown_questions().aggregate(total=Sum("points"))["total"] or Decimal(0)

    def shuffled(self, question, items, salt=0):
        """Items in this attempt's order: stable across reloads, different per attempt."""
        items = list(items)
        if question.shuffle or question.kind_rules.always_shuffled:
            random.Random(f"{self.seed}-{question.pk}-{salt}").shuffle(items)
        return items

    def item_tokens(self, question, role: str) -> dict[int, str]:
        """What the page shows in place of each choice's id, by id (see token)."""
        return {
            choice.pk: self.token(question, role, choice.pk) for choice in question.choices.all()
        }

    def token(self, question, role: str, item) -> str:
        """What the page shows in place of `item` of the question.

        A keyed hash of the attempt, the question, the item and its `role` (what the
        token names: a "choice" to tick, an ordering "place" field, a matching "item" or
        "target"...), so no value, field name or element id follows the ids' creation order,
        and a matching row's field never shares a value with its right target. The same on
        every reload of this attempt, different in every other attempt.
        """
        return salted_hmac(
            "quizzes.Attempt.item_tokens",
            f"{self.public_id}:{question.pk}:{role}:{item}",
            algorithm="sha256",
        ).hexdigest()[:16]

    def resume_number(self) -> int:
        """The number of the first unanswered question (1-based), or 1 when all are answered."""
        answered = set(self.responses.values_list("question_id", flat=True))
        shown = self.shown_questions().values_list("pk", flat=True)
        for number, question_id in enumerate(shown, 1):
            if question_id not in answered:
                return number
        return 1

    @property
    def feedback(self) -> "FeedbackSettings":
        """When this attempt gives feedback and what its review shows: its assignment's
        settings (read as they are now, so a teacher's change reaches attempts already
        made), or for a practice attempt, PRACTICE_FEEDBACK."""
        return self.assignment or PRACTICE_FEEDBACK

    @property
    def feedback_is_immediate(self) -> bool:
        return self.feedback.feedback_is_immediate

    @property
    def review_shows_answers(self) -> bool:
        # Only with the verdicts: a right answer beside the student's would tell them.
        return self.review_shows_verdicts and self.feedback.review_shows_answers

    @property
    def review_shows_verdicts(self) -> bool:
        return self.feedback.review_shows_verdicts

    def is_expired(self, now=None) -> bool:
        return self.deadline is not None and (now or timezone.now()) >= self.deadline

    def close_if_expired(self) -> bool:
        """Past the deadline, the attempt is submitted as it was at the deadline."""
        if self.is_submitted or not self.is_expired():
            return False
        return self.submit(at=self.deadline)

    def lock_open(self, now=None):
        """Mark the attempt seen, holding its row lock for a change, or raise AttemptClosed
        if it no longer takes one. One UPDATE both checks and locks, so a submit can't
        slip in between (a waiting UPDATE re-checks the row once the lock is free)."""
        now = now or timezone.now()
        still_open = Attempt.objects.filter(pk=self.pk, submitted_at=None).exclude(
            deadline__lte=now
        )
        if not still_open.update(last_seen_at=now):
            raise AttemptClosed
        self.last_seen_at = now

    def save_answer(self, question, answer, *, first_only=False):
        """Store (or replace) the answer to one question and score it; return the response
        as written (see Response.objects.write_answer).

        Two statements in one transaction: the UPDATE that locks the attempt while it is
        open, and the answer's upsert. With `first_only` an existing answer stands
        (AlreadyAnswered): checked under the lock, since two tabs checking answers at once
        must not both get feedback on their own.
        """
        now = timezone.now()
        points = kinds.score(question.answer_key(), answer, question.points)
        # Time on a question: since the student last saw a page of this attempt,
        # capped so a tab left open overnight doesn't count as study time.
        seconds_spent = min(int((now - self.last_seen_at).total_seconds()), 600)
        with transaction.atomic():
            self.lock_open(now)
            return Response.objects.write_answer(
                self,
                question,
                answer=answer,
                points=points,
                at=now,
                seconds_spent=seconds_spent,
                first_only=first_only,
            )

    @transaction.atomic
    def toggle_flag(self, question) -> bool:
        self.lock_open()
        response, _created = Response.objects.get_or_create(attempt=self, question=question)
        response.flagged = not response.flagged
        response.save(update_fields=["flagged"])
        return response.flagged

    def mark_seen(self, now=None):
        self.last_seen_at = now or timezone.now()
        Attempt.objects.filter(pk=self.pk).update(last_seen_at=self.last_seen_at)

    @transaction.atomic
    def submit(self, at=None) -> bool:
        """Close the attempt and total its score; a second submit changes nothing."""
        locked = Attempt.objects.select_for_update().get(pk=self.pk)
        if locked.is_submitted:
            self.refresh_from_db()
            return False
        self.submitted_at = at or timezone.now()
        self.update_score()
        self.save(update_fields=["submitted_at", "score", "max_score", "is_provisional"])
        return True

    def update_score(self):
        responses = [r for r in self.responses.all() if r.is_answered]
        self.max_score = self.full_marks()
        self.score = sum((r.points for r in responses if r.points is not None), Decimal(0))
        self.is_provisional = any(r.points is None for r in responses)


class ResponseManager(models.Manager):
    def write_answer(self, attempt, question, *, answer, points, at, seconds_spent, first_only):
        """The answer written in one statement, an upsert: inserted, or replacing the
        question's response (its time spent added up; unless `first_only` and it has an
        answer: AlreadyAnswered). Returns the Response as stored, its teacher's fields
        aside, with `answered_elsewhere`: how many other questions of the attempt have an
        answer, which the progress line needs. Call it holding the attempt's lock.

        Written in SQL because Django's bulk_create(update_conflicts=True) can neither add
        to a column nor leave an answer standing; PostgreSQL and SQLite (3.35 or later) both
        read it as it is."""
        connection = connections[self.db]
        table = connection.ops.quote_name(self.model._meta.db_table)
        field = self.model._meta.get_field
        stands = f"WHERE {table}.answer IS NULL" if first_only else ""
        sql = f"""
            INSERT INTO {table} (attempt_id, question_id, answer, points, answered_at,
                                 seconds_spent, flagged, needs_review, comment)
            VALUES (%s, %s, %s, %s, %s, %s, FALSE, FALSE, '')
            ON CONFLICT (attempt_id, question_id) DO UPDATE SET
                answer = excluded.answer,
                points = excluded.points,
                answered_at = excluded.answered_at,
                seconds_spent = {table}.seconds_spent + excluded.seconds_spent
            {stands}
            RETURNING id, flagged, seconds_spent, (
                SELECT COUNT(*) FROM {table} AS other
                WHERE other.attempt_id = %s AND other.question_id <> %s
                AND other.answer IS NOT NULL
            )
        """
        params = [
            attempt.pk,
            question.pk,
            field("answer").get_db_prep_save(answer, connection),
            field("points").get_db_prep_save(points, connection),
            field("answered_at").get_db_prep_save(at, connection),
            seconds_spent,
            attempt.pk,
            question.pk,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            raise AlreadyAnswered  # only an existing answer can stop the upsert
        pk, flagged, seconds, answered_elsewhere = row
        response = self.model(
            pk=pk,
            attempt=attempt,
            question=question,
            answer=answer,
            points=points,
            answered_at=at,
            seconds_spent=seconds,
            flagged=bool(flagged),
        )
        response.answered_elsewhere = answered_elsewhere
        return response


class Response(models.Model):
    """The saved answer to one question in one attempt, written as the student answers."""

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="responses", verbose_name=_("attempt")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="responses", verbose_name=_("question")
    )
    answer = models.JSONField(
        _("answer"),
        null=True,
        blank=True,
        help_text=_("Empty when the student only flagged the question."),
    )
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty while the answer waits for a teacher."),
    )
    flagged = models.BooleanField(_("flagged by the student"), default=False)
    needs_review = models.BooleanField(
        _("for a teacher to check"),
        default=False,
        help_text=_("Puts an automatically scored answer in the marking queue."),
    )
    comment = models.TextField(_("teacher's comment"), blank=True)
    seconds_spent = models.PositiveIntegerField(_("time spent (seconds)"), default=0)
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    objects = ResponseManager()

    class Meta:
        ordering = ["attempt", "question__position"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="one_response_per_question"
            )
        ]

    def __str__(self):
        return f"{self.attempt} – {self.question}"

    @property
    def is_answered(self) -> bool:
        return self.answer is not None

    @property
    def is_correct(self) -> bool:
        return self.points is not None and self.points >= self.question.points


class ScoreChange(models.Model):
    """Audit record of any change to a response's points: who, when, old, new and why."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="score_changes", verbose_name=_("response")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    old_points = models.DecimalField(
        _("old points"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    new_points = models.DecimalField(
        _("new points"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=500)
    by_hand = models.BooleanField(
        _("by hand"),
        default=True,
        help_text=_("A teacher's own judgement, which a regrade leaves in place."),
    )

    class Meta:
        ordering = ["-changed_at"]
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")

    def __str__(self):
        return f"{self.response}: {self.old_points} → {self.new_points}"
