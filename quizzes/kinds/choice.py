"""Kinds whose answer is one or more ticked choices: single choice, multiple response,
true / false."""

from fractions import Fraction

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from quizzes.interchange import shapes
from quizzes.kinds.base import (
    KindForm,
    QuestionKind,
    carried_ids,
    feedback_dropped,
    percent,
    tokens_by_value,
)
from quizzes.scoring import InvalidAnswer, is_choice_id

CHOICE_FIELDS = ("position", "text", "is_correct")


class Single(QuestionKind):
    """One right choice; the answer is its id."""

    value = "single"
    label = _("Single choice")
    form = KindForm(
        _("One right answer among several choices."),
        fields=("shuffle",),
        choice_fields=CHOICE_FIELDS,
        choices_title=_("Choices: tick the right one"),
        choice_name=_("choice"),
        new_choices=4,
    )
    counts_choices = True
    bank_lookup = bank_answer = "every phrase"
    bank_length_cue = bank_option_lengths = True
    shape_type = shapes.Choices
    moodle_type = "multichoice"
    moodle_options = (("single", "true"),)

    def takes(self, shape):
        return isinstance(shape, shapes.Choices) and not shape.several

    def from_shape(self, shape):
        answers = shape.answers
        best = max((a.fraction for a in answers), default=Fraction(0))
        made = shapes.Made(fields={} if shape.shuffle is None else {"shuffle": shape.shuffle})
        for answer in answers:
            right = answer.fraction == best and best > 0
            made.choices.append((answer.text, right, ""))
            if right and best < 1:
                made.changes.append(
                    gettext("“%(text)s” earned %(share)s; as the right answer it earns full marks.")
                    % {"text": answer.text, "share": percent(best)}
                )
            elif not right and answer.fraction > 0:
                made.changes.append(
                    gettext("“%(text)s” earned %(share)s; here it earns nothing.")
                    % {"text": answer.text, "share": percent(answer.fraction)}
                )
            elif answer.fraction < 0:
                made.changes.append(
                    gettext("“%(text)s” cost %(share)s; here a wrong choice scores 0.")
                    % {"text": answer.text, "share": percent(-answer.fraction)}
                )
        made.changes += feedback_dropped(answers)
        return made

    def to_shape(self, question, choices):
        return shapes.Choices(
            tuple(shapes.Answer(c.text, Fraction(int(c.is_correct))) for c in choices),
            several=False,
            shuffle=question.shuffle,
        )

    def clean(self, key, answer):
        if not is_choice_id(answer, key.choice_ids):
            raise InvalidAnswer(gettext_noop("Choose one of the options."))
        return answer

    def fraction(self, key, answer):
        correct = {c.id for c in key.choices if c.is_correct}
        return Fraction(1 if answer in correct else 0)

    def carry(self, answer, moved):
        return moved.get(answer)

    def read(self, attempt, question, data):
        return tokens_by_value(attempt, question, "choice").get(data.get("choice"))

    def post_data(self, attempt, question, answer):
        return {"choice": attempt.item_tokens(question, "choice")[answer]}

    def page_fields(self, attempt, question):
        return {"choice": list(attempt.item_tokens(question, "choice").values())}

    def widget(self, attempt, question, answer):
        tokens = attempt.item_tokens(question, "choice")
        chosen = set(answer) if isinstance(answer, list) else {answer}
        return {
            "choices": [
                {"choice": c, "token": tokens[c.pk], "checked": c.pk in chosen}
                for c in attempt.shuffled(question, question.choices.all())
            ]
        }

    def reading(self, attempt, question):
        return [[c.text for c in attempt.shuffled(question, question.choices.all())]]

    def answer_display(self, question, answer):
        return {c.pk: c.text for c in question.choices.all()}.get(answer, "")

    def key_problems(self, question, choices):
        problems = []
        if sum(1 for c in choices if c.is_correct) != 1:
            problems.append(_("Mark exactly one choice as correct."))
        problems += self.count_problems(choices)
        return problems

    def count_problems(self, choices):
        return [_("Give at least two choices.")] if len(choices) < 2 else []

    def sample_answers(self, key):
        return [c.id for c in key.choices if c.is_correct][:1] + [
            c.id for c in key.choices if not c.is_correct
        ]

    def example_choices(self):
        return [("Right", True), ("Wrong", False)]

    def example(self):
        return {}, [("Right", True), ("Wrong", False), ("Also wrong", False)]


class TrueFalse(Single):
    value = "true_false"
    label = _("True / false")
    form = KindForm(
        _("A statement that is either true or false."),
        fields=("shuffle",),
        choice_fields=CHOICE_FIELDS,
        choices_title=_("The two answers (True and False): tick the right one"),
        choice_name=_("answer"),
        new_choices=2,
    )
    template = "quizzes/kinds/single.html"
    bank_lookup, bank_answer = "statement", None
    bank_length_cue = bank_option_lengths = False
    bank_balanced_keys = True
    shape_type = shapes.TrueOrFalse
    moodle_type = "truefalse"
    moodle_options = ()
    TRUE, FALSE = _("True"), _("False")

    def takes(self, shape):
        return isinstance(shape, shapes.TrueOrFalse)

    def from_shape(self, shape):
        made = shapes.Made(
            fields={"shuffle": False},
            choices=[(str(self.TRUE), shape.right, ""), (str(self.FALSE), not shape.right, "")],
        )
        if any(text.strip() for text in shape.feedback):
            made.changes.append(
                gettext("The feedback on True and False is dropped: students read the explanation.")
            )
        return made

    def to_shape(self, question, choices):
        # The choice ticked right is True unless its words say false; a key written in other
        # words ("Yes"/"No") travels as which of the two comes first.
        right = next((c for c in choices if c.is_correct), None)
        if right is None:
            return shapes.TrueOrFalse(True)
        falses = {"false", "f", "no", str(self.FALSE).casefold()}
        trues = {"true", "t", "yes", str(self.TRUE).casefold()}
        word = right.text.strip().casefold()
        if word in falses or word in trues:
            return shapes.TrueOrFalse(word in trues)
        return shapes.TrueOrFalse(right is choices[0])

    def bank_key_lines(self, key):
        return []  # "True" or "False" answers no other question

    def count_problems(self, choices):
        return [_("A true/false question has exactly two choices.")] if len(choices) != 2 else []

    def example(self):
        return {}, [("True", True), ("False", False)]


class Multiple(Single):
    """Any number of right choices; the answer is the sorted list of ticked ids."""

    value = "multiple"
    label = _("Multiple response")
    form = KindForm(
        _("Several right answers; students tick every one that applies."),
        fields=("shuffle",),
        choice_fields=CHOICE_FIELDS,
        choices_title=_("Choices: tick every right one"),
        choice_name=_("choice"),
        new_choices=5,
    )
    bank_length_cue = False
    moodle_options = (("single", "false"),)

    def takes(self, shape):
        return isinstance(shape, shapes.Choices) and shape.several

    def from_shape(self, shape):
        """A positive weight marks a right choice. Here each right tick earns an equal share
        and each wrong tick costs an equal share of the wrong ones (see fraction), so other
        weights are rounded to those, and said so."""
        answers = shape.answers
        right = [a for a in answers if a.fraction > 0]
        wrong = [a for a in answers if a.fraction <= 0]
        made = shapes.Made(
            fields={} if shape.shuffle is None else {"shuffle": shape.shuffle},
            choices=[(a.text, a.fraction > 0, "") for a in answers],
        )
        if right:
            share = Fraction(1, len(right))
            if any(abs(a.fraction - share) > Fraction(1, 1000) for a in right):
                made.changes.append(
                    gettext("Weights %(weights)s of the right choices become %(share)s each.")
                    % {
                        "weights": " / ".join(percent(a.fraction) for a in right),
                        "share": percent(share),
                    }
                )
        if wrong:
            cost = Fraction(-1, len(wrong))
            if any(abs(a.fraction - cost) > Fraction(1, 1000) for a in wrong):
                made.changes.append(
                    gettext("Weights %(weights)s of the wrong choices become %(cost)s each.")
                    % {
                        "weights": " / ".join(percent(a.fraction) for a in wrong),
                        "cost": percent(cost),
                    }
                )
        made.changes += feedback_dropped(answers)
        return made

    def to_shape(self, question, choices):
        right = sum(1 for c in choices if c.is_correct) or 1
        wrong = sum(1 for c in choices if not c.is_correct) or 1
        return shapes.Choices(
            tuple(
                shapes.Answer(c.text, Fraction(1, right) if c.is_correct else Fraction(-1, wrong))
                for c in choices
            ),
            several=True,
            shuffle=question.shuffle,
        )

    def clean(self, key, answer):
        ids = key.choice_ids
        if not isinstance(answer, list) or not all(is_choice_id(a, ids) for a in answer):
            raise InvalidAnswer(gettext_noop("Tick the options you think are right."))
        return sorted(set(answer))

    def carry(self, answer, moved):
        carried = carried_ids(answer, moved)
        return None if carried is None else sorted(carried)

    def fraction(self, key, answer):
        """Each right tick earns its share, each wrong tick costs its share, never below 0:
        ticking all earns 0 unless every option is right, ticking nothing earns 0 unless
        none is."""
        correct = {c.id for c in key.choices if c.is_correct}
        wrong = key.choice_ids - correct
        ticked = set(answer)
        # With no right option, ticking nothing is the right answer.
        earned = Fraction(len(ticked & correct), len(correct)) if correct else Fraction(1)
        lost = Fraction(len(ticked & wrong), len(wrong)) if wrong else Fraction(0)
        return max(earned - lost, Fraction(0))

    def read(self, attempt, question, data):
        by_token = tokens_by_value(attempt, question, "choice")
        return [by_token.get(value) for value in data.getlist("choice")]

    def post_data(self, attempt, question, answer):
        tokens = attempt.item_tokens(question, "choice")
        return {"choice": [tokens[choice_id] for choice_id in answer]}

    def answer_display(self, question, answer):
        texts = {c.pk: c.text for c in question.choices.all()}
        return "; ".join(texts[i] for i in answer if i in texts) or str(_("(nothing ticked)"))

    def key_problems(self, question, choices):
        correct = [c for c in choices if c.is_correct]
        if not correct or len(correct) == len(choices):
            return [_("Mark at least one choice correct and leave at least one wrong.")]
        return []

    def sample_answers(self, key):
        right = [c.id for c in key.choices if c.is_correct]
        wrong = [c.id for c in key.choices if not c.is_correct]
        return [
            sorted(right),
            sorted(right[:-1] or wrong[:1]),
            sorted(right + wrong[:1]),
            wrong[:1] or right[:1],
        ]

    def random_answer(self, key, rng):
        ids = [c.id for c in key.choices]
        return sorted(rng.sample(ids, rng.randint(1, len(ids))))

    def example_choices(self):
        return []

    def example(self):
        return {}, [("Right", True), ("Also right", True), ("Wrong", False)]
