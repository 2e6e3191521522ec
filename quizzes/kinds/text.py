"""Kinds whose answer is typed: short text, numeric, essay."""

from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from quizzes import scoring
from quizzes.interchange import shapes
from quizzes.kinds.base import (
    MAX_CHOICE_TEXT,
    KindForm,
    QuestionKind,
    feedback_dropped,
    percent,
)
from quizzes.scoring import InvalidAnswer, clean_text


class ShortText(QuestionKind):
    """A word or a phrase, compared with the accepted answers (scoring.match_form)."""

    value = "short_text"
    label = _("Short text")
    form = KindForm(
        _("Students type a word or a phrase; you list the answers you accept."),
        fields=("strict_text", "ignore_articles", "synonyms"),
        choice_fields=("text",),
        choices_title=_("Accepted answers"),
        choice_name=_("accepted answer"),
        choice_labels=(("text", _("accepted answer")),),
        new_choices=3,
        all_choices_correct=True,
    )
    counts_texts = True
    shows_match_form = True
    bank_lookup = bank_answer = "any phrase"
    shape_type = shapes.Typed
    moodle_type = "shortanswer"

    def from_shape(self, shape):
        made = shapes.Made(fields={"strict_text": shape.case_sensitive})
        for answer in shape.answers:
            if answer.fraction >= 1:
                made.choices.append((answer.text, True, ""))
            else:
                made.changes.append(
                    gettext(
                        "The answer “%(text)s” (worth %(share)s) is dropped: an answer is "
                        "accepted for full marks or not at all."
                    )
                    % {"text": answer.text, "share": percent(answer.fraction)}
                )
            if "*" in answer.text:
                made.changes.append(
                    gettext("“%(text)s”: the * is matched as written, not as any characters.")
                    % {"text": answer.text}
                )
        if shape.case_sensitive:
            made.changes.append(
                gettext(
                    "Case-sensitive answers become an exact match: punctuation and "
                    "accents count too."
                )
            )
        made.changes += feedback_dropped(shape.answers)
        return made

    def to_shape(self, question, choices):
        return shapes.Typed(
            tuple(shapes.Answer(c.text) for c in choices if c.is_correct),
            case_sensitive=question.strict_text,
        )

    def clean(self, key, answer):
        text = clean_text(answer, 10_000)
        if not text:
            raise InvalidAnswer(gettext_noop("Write an answer first."))
        return text

    def fraction(self, key, answer):
        given = scoring.match_form(key, answer)
        accepted = {
            scoring.match_form(key, text) for c in key.choices if c.is_correct for text in c.texts
        }
        return Fraction(1 if given in accepted else 0)

    def key_display(self, question):
        return " / ".join(c.text for c in question.choices.all() if c.is_correct)

    def acceptable(self, question, answer):
        key = question.answer_key()
        if not isinstance(answer, str) or self.fraction(key, answer) == 1:
            return []
        return [(None, "", answer)]

    def accept(self, choices, lineage, text, new_choice):
        if len(text) > MAX_CHOICE_TEXT:
            raise ValidationError(_("This answer is too long to accept."))
        position = max((choice.position for choice in choices), default=0) + 1
        choices.append(new_choice(position=position, text=text, is_correct=True))

    def key_problems(self, question, choices):
        if not any(c.is_correct for c in choices):
            return [_("List at least one accepted answer as a correct choice.")]
        return []

    def sample_answers(self, key):
        return [next(c.text for c in key.choices if c.is_correct), "I don't know", "NASA"]

    def example(self):
        return {"ignore_articles": True}, [("Wolf Amendment", True)]


class Numeric(QuestionKind):
    """A number, maybe with a unit, within the key's tolerance."""

    value = "numeric"
    label = _("Numeric")
    form = KindForm(
        _("Students type a number; you give its value, how far off it may be, and its unit."),
        fields=(
            "numeric_answer",
            "tolerance",
            "unit",
            "unit_zh",
            "unit_words",
            "unit_convertible",
            "units_accepted",  # shown, not stored
        ),
    )
    counts_texts = True
    bank_lookup = bank_answer = "amount"
    shape_type = shapes.Number
    moodle_type = "numerical"
    PLACES = Decimal("0.0001")  # the numeric_answer and tolerance fields' decimal places

    def from_shape(self, shape):
        made = shapes.Made()
        ranked = sorted(shape.answers, key=lambda a: -a.fraction)
        if not ranked:
            return made
        best, others = ranked[0], ranked[1:]
        value, tolerance = best.value.quantize(self.PLACES), best.tolerance.quantize(self.PLACES)
        made.fields = {"numeric_answer": value, "tolerance": abs(tolerance), "unit": shape.unit}
        if value != best.value or tolerance != best.tolerance:
            made.changes.append(
                gettext("%(value)s ± %(tolerance)s is rounded to 4 decimal places.")
                % {"value": best.value, "tolerance": best.tolerance}
            )
        if best.fraction < 1:
            made.changes.append(
                gettext("%(value)s earned %(share)s; here it earns full marks.")
                % {"value": best.value, "share": percent(best.fraction)}
            )
        for other in others:
            made.changes.append(
                gettext(
                    "The answer %(value)s ± %(tolerance)s (worth %(share)s) is dropped: a "
                    "numeric question has one value and one tolerance."
                )
                % {
                    "value": other.value,
                    "tolerance": other.tolerance,
                    "share": percent(other.fraction),
                }
            )
        made.changes += feedback_dropped(
            [shapes.Answer(str(a.value), a.fraction, a.feedback) for a in shape.answers]
        )
        return made

    def to_shape(self, question, choices):
        if question.numeric_answer is None:
            return shapes.Number(())
        return shapes.Number(
            (shapes.NumberAnswer(question.numeric_answer, question.tolerance),), question.unit
        )

    def clean(self, key, answer):
        text = clean_text(answer, 100)  # no real amount needs more; keeps parsing cheap
        if not text:
            raise InvalidAnswer(gettext_noop("Enter a number."))
        scoring.parse_number(text)
        return text

    def fraction(self, key, answer):
        """Full marks within the tolerance (inclusive), in the key's unit (any of its words,
        singular or plural) or, when the key allows it, a convertible one; no unit counts as
        the key's unit; a wrong unit scores 0."""
        value, unit = scoring.parse_number(answer)
        if key.value is None:
            return Fraction(0)
        amount = Fraction(value)
        if unit and scoring.unit_name(unit) not in scoring.key_unit_names(key):
            given = scoring.UNIT_FACTORS.get(scoring.unit_name(unit))
            wanted = scoring.UNIT_FACTORS.get(scoring.unit_name(key.unit))
            if not (key.unit_convertible and given and wanted and given[0] == wanted[0]):
                return Fraction(0)
            # Exact: going through float overflowed on long answers and rounded near the edge.
            amount = amount * given[1] / wanted[1]
        return Fraction(1 if abs(amount - Fraction(key.value)) <= Fraction(key.tolerance) else 0)

    def key_display(self, question):
        shown = f"{question.numeric_answer.normalize():f} {question.unit}".strip()
        if question.tolerance:
            shown += f" (± {question.tolerance.normalize():f})"
        return shown

    def question_problems(self, question):
        if question.numeric_answer is None:
            return {"numeric_answer": _("A numeric question needs the value of its answer.")}
        return {}

    def sample_answers(self, key):
        value = key.value or Decimal(0)
        right = f"{value.normalize():f} {key.unit}".strip()
        return [right, f"{(value * 2 + 1).normalize():f}", f"{(value + 100).normalize():f}"]

    def example(self):
        return {"numeric_answer": Decimal("1731"), "unit": "g"}, []


class Essay(ShortText):
    """A written answer a teacher marks: no key, no score until then."""

    def acceptable(self, question, answer):
        return []  # nothing to accept: a teacher marks each one

    value = "essay"
    label = _("Essay")
    form = KindForm(
        _("A written answer that you mark by hand."),
        explanation_label=_("Marking guide"),
        explanation_help=_(
            "What a good answer contains, for whoever marks it. Students see it too after "
            "submitting, when the assignment shows the right answers."
        ),
    )
    scored = False
    counts_texts = False
    shows_match_form = False
    bank_lookup = bank_answer = None
    shape_type = shapes.Open
    moodle_type = "essay"

    def from_shape(self, shape):
        return shapes.Made()

    def to_shape(self, question, choices):
        return shapes.Open()

    def key_display(self, question):
        return ""

    def key_problems(self, question, choices):
        return QuestionKind.key_problems(self, question, choices)

    def sample_answers(self, key):
        return ["The agencies keep talking despite the Wolf Amendment, which limits NASA."]

    def example(self):
        return {}, []
