"""The import report and the import itself.

`plan` makes every question in a transaction it then rolls back, so the report shows exactly
what applying would write (each question's kind, points and key in words, as the admin shows
them, and the admin's own checks of its key), and `apply` makes them again for good, in one
transaction: all of them or, at the first problem, none.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lessons.models import Lesson
from quizzes import kinds
from quizzes.interchange import aiken, drafts, gift, moodlexml
from quizzes.interchange.drafts import Draft, Parsed, Problem
from quizzes.models import QUESTIONS_FIXED, Choice, Question, Quiz, unused_value

READERS = {"gift": gift.read, "aiken": aiken.read, "moodlexml": moodlexml.read}
FORMAT_NAMES = {"gift": "GIFT", "aiken": "Aiken", "moodlexml": "Moodle XML"}
MAX_POINTS = Decimal("999.99")  # Question.points: 5 digits, 2 of them decimals


@dataclass
class Row:
    """One question of the file in the report."""

    line: int
    prompt: str
    kind: str = ""  # the kind's label
    points: Decimal | None = None
    key: str = ""  # the right answer in words
    changes: list[str] = field(default_factory=list)
    skipped: str = ""


@dataclass
class Report:
    format: str
    quiz: str  # the quiz's title
    new_quiz: bool
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def format_name(self) -> str:
        return FORMAT_NAMES.get(self.format, self.format)

    @property
    def created(self) -> list[Row]:
        return [row for row in self.rows if not row.skipped]

    @property
    def skipped(self) -> list[Row]:
        return [row for row in self.rows if row.skipped]

    @property
    def can_apply(self) -> bool:
        return not self.problems and bool(self.created)

    def lines(self) -> list[str]:
        """The report as the command prints it."""
        out = [
            _("%(format)s file into the quiz “%(quiz)s”%(new)s.")
            % {
                "format": self.format_name,
                "quiz": self.quiz,
                "new": _(" (a new quiz)") if self.new_quiz else "",
            },
        ]
        out += [f"  {note}" for note in self.notes]
        if self.problems:
            out.append(_("Lines that can't be read (nothing is imported until they are fixed):"))
            out += [_("  line %(line)s: %(reason)s") % vars(p) for p in self.problems]
        out.append(_("Questions to create: %(count)s") % {"count": len(self.created)})
        for number, row in enumerate(self.created, 1):
            out.append(
                f"  {number}. [{_('line')} {row.line}] {row.kind}, {row.points} "
                f"{_('points')}: {row.prompt[:70]}"
            )
            if row.key:
                out.append(f"       {_('Key')}: {row.key}")
            out += [f"       - {change}" for change in row.changes]
        if self.skipped:
            out.append(_("Left out: %(count)s") % {"count": len(self.skipped)})
            out += [
                f"  [{_('line')} {row.line}] {row.skipped} {row.prompt[:60]}"
                for row in self.skipped
            ]
        return out


class ImportRefused(Exception):
    pass


def decode(data: bytes) -> str:
    if len(data) > drafts.MAX_FILE_BYTES:
        raise ImportRefused(
            _("The file is %(size)s kB; the most an import takes is %(max)s kB: split it.")
            % {"size": len(data) // 1000, "max": drafts.MAX_FILE_BYTES // 1000}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            _("The file is not UTF-8 text (byte %(at)s); save it as UTF-8.") % {"at": error.start}
        ) from None


def detect(text: str) -> str:
    """Moodle XML starts with <?xml or <quiz; Aiken has ANSWER: lines and no braces."""
    head = text.lstrip("\ufeff \t\r\n")[:100]
    if head.startswith("<"):
        return "moodlexml"
    if re.search(r"^\s*ANSWER\s*:", text, re.MULTILINE | re.IGNORECASE) and "{" not in text:
        return "aiken"
    return "gift"


def read(text: str, format: str = "") -> tuple[str, Parsed]:
    if len(text.encode()) > drafts.MAX_FILE_BYTES:
        raise ImportRefused(
            _("The text is over %(max)s kB, the most an import takes: split it.")
            % {"max": drafts.MAX_FILE_BYTES // 1000}
        )
    format = format or detect(text)
    parsed = READERS[format](text.replace("\r\n", "\n").replace("\r", "\n"))
    made = [d for d in parsed.drafts if not d.skipped]
    if len(made) > drafts.MAX_QUESTIONS:
        raise ImportRefused(
            _("The file holds %(count)s questions; an import takes at most %(max)s: split it.")
            % {"count": len(made), "max": drafts.MAX_QUESTIONS}
        )
    return format, parsed


def plan(text: str, quiz: Quiz, user, format: str = "") -> Report:
    """What importing `text` into `quiz` (saved, or new and unsaved) would do; writes nothing."""
    new = quiz.pk is None
    with transaction.atomic():
        report = _build(text, quiz, user, format)
        transaction.set_rollback(True)
    if new:
        _unsave(quiz)
    return report


def _unsave(quiz: Quiz) -> None:
    """A quiz saved in a transaction rolled back is unsaved again."""
    quiz.pk = None
    quiz._state.adding = True


def apply(text: str, quiz: Quiz, user, format: str = "") -> Report:
    """Every question of the report, written in one transaction; none when any has a
    problem (the report says which)."""
    new = quiz.pk is None
    with transaction.atomic():
        report = _build(text, quiz, user, format)
        if report.can_apply:
            report.applied = True
            return report
        transaction.set_rollback(True)
    if new:
        _unsave(quiz)
    return report


def new_quiz(slug: str, lesson: Lesson) -> Quiz:
    return Quiz(lesson=lesson, slug=slug, title=slug.replace("-", " ").capitalize())


def _build(text: str, quiz: Quiz, user, format: str) -> Report:
    format, parsed = read(text, format)
    new = quiz.pk is None
    report = Report(format, quiz.title, new, problems=list(parsed.problems), notes=parsed.notes)
    if new:
        quiz.save()
        quiz.owners.add(user)
    elif quiz.has_graded_attempts():
        raise ImportRefused(str(QUESTIONS_FIXED))
    evidence = quiz.lesson.sections.order_by("position").first()
    if evidence is None:
        report.problems.append(
            Problem(
                0,
                _("The lesson “%(lesson)s” has no section for questions to cite.")
                % {"lesson": quiz.lesson},
            )
        )
        return report
    report.notes.append(
        _(
            "Each question cites the lesson's first section, “%(heading)s”, as its evidence, "
            "and has the level Recall: choose the right ones after importing."
        )
        % {"heading": evidence.heading}
    )
    if format != "moodlexml":
        report.notes.append(
            _("%(format)s gives no points: each question is worth 1.")
            % {"format": report.format_name}
        )
    position = max(quiz.questions.current().values_list("position", flat=True), default=0)
    for draft in parsed.drafts:
        row = Row(draft.line, draft.prompt or draft.title, changes=list(draft.changes))
        report.rows.append(row)
        if draft.skipped:
            row.skipped = draft.skipped
            continue
        kind = kinds.get(draft.kind) if draft.kind else kinds.for_shape(draft.shape)
        if kind is None:
            row.skipped = _("No kind of question here takes these answers.")
            continue
        position += 1
        problems = _make(draft, kind, quiz, evidence, position, row)
        report.problems += [Problem(draft.line, problem) for problem in problems]
    report.problems.sort(key=lambda p: p.line)
    unexplained = sum(1 for d in parsed.drafts if not d.skipped and not d.explanation.strip())
    if unexplained:
        report.notes.append(
            _(
                "%(count)s of %(total)s questions have no general feedback, so no explanation: "
                "write one for each after importing."
            )
            % {"count": unexplained, "total": len(report.created)}
        )
    return report


def _make(draft: Draft, kind, quiz, evidence, position: int, row: Row) -> list[str]:
    made = kind.from_shape(draft.shape)
    row.changes += made.changes
    fields = dict(made.fields)
    prompt = fields.pop("prompt", draft.prompt)
    row.prompt, row.kind = prompt, str(kind.label)
    problems = []
    if not prompt.strip():
        problems.append(_("The question has no text."))
    if len(prompt) > drafts.MAX_PROMPT:
        problems.append(_("The question is over %(max)s characters.") % {"max": drafts.MAX_PROMPT})
    explanation = draft.explanation
    if len(explanation) > drafts.MAX_EXPLANATION:
        problems.append(
            _("The feedback is over %(max)s characters.") % {"max": drafts.MAX_EXPLANATION}
        )
    points = Decimal(1) if draft.points is None else draft.points
    rounded = points.quantize(Decimal("0.01"), ROUND_HALF_UP)
    if rounded != points:
        row.changes.append(
            _("%(points)s points are rounded to %(rounded)s.")
            % {"points": points.normalize(), "rounded": rounded}
        )
    if not Decimal("0.01") <= rounded <= MAX_POINTS:
        problems.append(_("Points must be from 0.01 to %(max)s.") % {"max": MAX_POINTS})
        rounded = Decimal(1)
    row.points = rounded
    for text, _right, match in made.choices:
        if len(text) > drafts.MAX_CHOICE or len(match) > drafts.MAX_CHOICE:
            problems.append(
                _("An answer is over %(max)s characters: “%(text)s…”.")
                % {"max": drafts.MAX_CHOICE, "text": text[:40]}
            )
    if problems:
        return problems
    wanted = slugify(draft.title or prompt)[:40].strip("-") or "question"
    question = Question(
        quiz=quiz,
        key=unused_value(Question, "key", wanted, max_length=50),
        position=position,
        kind=kind.value,
        prompt=prompt,
        points=rounded,
        explanation=explanation,
        evidence=evidence,
        **fields,
    )
    choices = [
        Choice(question=question, position=n, text=text, is_correct=right, match_text=match)
        for n, (text, right, match) in enumerate(made.choices, 1)
    ]
    try:
        question.full_clean(exclude=["explanation", "quiz", "evidence"], validate_unique=False)
    except ValidationError as error:
        return [
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        ]
    if problems := question.answer_key_problems(choices):
        return problems
    question.save()
    Choice.objects.bulk_create(choices)
    row.key = question.key_display()
    return []


def export(quizzes: list[Quiz], format: str) -> tuple[str, list[str]]:
    """Quizzes in GIFT or Moodle XML, and the questions the format can't hold. With several
    quizzes each one's questions come under a category named after it."""
    groups = []
    for quiz in quizzes:
        questions = quiz.questions.current().prefetch_related("choices")  # not older versions
        rows = [(q.kind_rules, q, list(q.choices.all())) for q in questions]
        groups.append((quiz.title if len(quizzes) > 1 else "", rows))
    if format == "moodlexml":
        return moodlexml.write(groups), []
    parts, left_out = [], []
    for category, rows in groups:
        if category:
            parts.append(f"$CATEGORY: {category}\n")
        for kind, question, choices in rows:
            written = gift.write_question(
                question.key,
                question.prompt,
                kind.to_shape(question, choices),
                question.explanation,
            )
            if written is None:
                left_out.append(question.key)
                parts.append(
                    f"// {question.key}: GIFT can't hold this {str(kind.label).lower()} "
                    "question; export to Moodle XML to take it.\n"
                )
            else:
                parts.append(written)
    return "\n".join(parts), left_out
