"""What every kind of question has: the base class the kinds in this package extend.

A kind holds everything that differs from one kind of question to another: how the page
shows it and reads its POST back, how an answer is cleaned and scored (plain Python, no
Django, on the scoring module's AnswerKey), how an answer and the key read in words, what
makes a key unusable, which fields the teacher's form shows, and answers for the data
generator, the benchmarks and the tests. Code elsewhere asks the registry
(`quizzes.kinds.get(question.kind)`) and never names a kind.
"""

import random
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quizzes import scoring
from quizzes.interchange import shapes

MAX_CHOICE_TEXT = 300  # Choice.text's max_length


@dataclass(frozen=True)
class KindForm:
    """Which fields this kind uses on the teacher's question form, and the words for them."""

    description: str  # one line on the page where a teacher chooses the kind
    fields: tuple[str, ...] = ()  # the question's own fields this kind uses
    choice_fields: tuple[str, ...] = ()  # columns of its choices; empty: it takes none
    choices_title: str = ""  # what the form calls its choices
    choice_name: str = ""  # and one of them ("Add another …")
    choice_labels: tuple[tuple[str, str], ...] = ()  # column headings other than the fields'
    new_choices: int = 0  # empty rows for choices on a new question (the form works without JS)
    explanation_label: str = ""  # when "explanation" means something else for this kind
    explanation_help: str = ""
    all_choices_correct: bool = False  # every choice is a right answer (accepted texts)
    syntax_help: str = ""  # how to write the question itself, shown above the form

    @property
    def takes_choices(self) -> bool:
        return bool(self.choice_fields)


class QuestionKind:
    value: str  # stored in Question.kind: never change it once answers exist
    label: str
    form: KindForm
    # False: a teacher marks every answer (score() gives None).
    scored = True
    # Shown in the attempt's order even when the teacher turned shuffling off.
    always_shuffled = False
    # Statistics: count how many picked each choice, or list the commonest typed answers.
    counts_choices = False
    counts_texts = False
    # What the student's answer field is called on the page ("text": one text field).
    text_field = "text"
    # The legend of its fields is the question (in the question's language), not a line of
    # the interface.
    legend_is_prompt = True
    # The admin shows, under each accepted answer, the form it matches answers as.
    shows_match_form = False

    # What the bank check (quizzes.bank_quality) knows of the kind. bank_lookup: how a
    # cited section states the answer, so a recall question is one a student looks up
    # ("every phrase", "any phrase", "statement", "amount", "every item", "items in one
    # passage"; None: the check can't tell); bank_answer: how another question's text gives
    # the answer away (the same words; None: it can't). The cues it checks: the right option
    # the longest, an option much longer than the others, keys all one way.
    bank_lookup: str | None = None
    bank_answer: str | None = None
    bank_length_cue = False
    bank_option_lengths = False
    bank_balanced_keys = False

    # How GIFT and Moodle XML carry the kind (quizzes/interchange): the shape of answers it
    # takes and makes, Moodle XML's name for its question type, and the elements that tell
    # it apart from another kind written with the same type.
    shape_type: type = shapes.Open
    moodle_type = ""
    moodle_options: tuple[tuple[str, str], ...] = ()

    @property
    def template(self) -> str:
        return f"quizzes/kinds/{self.value}.html"

    # --- the answer, plain Python ------------------------------------------------------
    def clean(self, key: scoring.AnswerKey, answer: object) -> scoring.Answer:
        """The answer in its stored form, or InvalidAnswer. Any JSON-like input gets one or
        the other, never another error; cleaning a clean answer returns it unchanged."""
        raise NotImplementedError

    def acceptable(self, question, answer) -> list[tuple[int | None, str, str]]:
        """The typed parts of a wrong answer a teacher may accept for everyone, each as
        (the choice it would join: its lineage, or None for a new accepted answer; what the
        page calls it; the text)."""
        return []

    def accept(self, choices: list, lineage: int | None, text: str, new_choice) -> None:
        """Make `text` right in `choices` (unsaved copies of a question's choices) where
        acceptable() said, with new_choice(**fields) for a choice to add; ValidationError
        when it can't be."""
        raise NotImplementedError

    def carry(self, answer, moved: dict[int, int]):
        """The answer in another version of its question, `moved` giving each choice's id
        there ({id here: id there}); None when it names a choice the other version lacks.
        Answers naming no choice (typed text) carry as they are."""
        return answer

    def fraction(self, key: scoring.AnswerKey, answer) -> Fraction:
        """The share of the points a clean answer earns, from 0 to 1."""
        raise NotImplementedError

    def score(self, key: scoring.AnswerKey, answer, points: Decimal) -> Decimal | None:
        if not self.scored:
            return None
        return scoring.points_for(self.fraction(key, answer), points)

    # --- the page -----------------------------------------------------------------------
    def read(self, attempt, question, data) -> object:
        """The raw answer in a POST (a QueryDict), for clean(): item tokens resolved to ids."""
        return data.get(self.text_field, "")

    def post_data(self, attempt, question, answer) -> dict:
        """The form fields that post `answer` (in its stored form): the inverse of read()."""
        return {self.text_field: answer}

    def page_fields(self, attempt, question) -> dict[str, list[str]]:
        """The fields the page's form has, each with the values it offers (none: typed)."""
        return {self.text_field: []}

    def widget(self, attempt, question, answer) -> dict:
        """What the kind's template needs besides the question, in this attempt's order."""
        return {"text": answer if isinstance(answer, str) else ""}

    def reading(self, attempt, question) -> list[list[str]]:
        """What a student reads besides the question, as lists of lines, in this attempt's
        order and with no key: the question in the other language shows them."""
        return []

    def prompt_text(self, question) -> str:
        """The question as review pages show it: never with a key in it."""
        return question.prompt

    def legend(self, question) -> str:
        """The question as the legend of its fields shows it (the template shows the rest)."""
        return self.prompt_text(question)

    # --- words --------------------------------------------------------------------------
    def answer_display(self, question, answer) -> str:
        return str(answer)

    def key_display(self, question) -> str:
        return "; ".join(c.text for c in question.choices.all() if c.is_correct)

    def key_problems(self, question, choices) -> list[str]:
        """Why these choices (saved or not) can't score the question; empty when they can."""
        if not self.form.takes_choices and choices:
            return [_("This kind of question takes no choices.")]
        return []

    def chinese_problems(self, question, choices) -> list[str]:
        """Why these choices can't be shown with the question in Chinese, when it has its
        Chinese: every text a student reads needs its twin. Accepted answers need none:
        the English ones stay accepted."""
        if self.form.all_choices_correct:
            return []
        problems = []
        if any(choice.text and not choice.text_zh for choice in choices):
            problems.append(_("Give every choice its text in Chinese too."))
        matched = [choice for choice in choices if choice.match_text]
        if any(not choice.match_text_zh for choice in matched):
            problems.append(_("Give every match its text in Chinese too."))
        return problems

    def question_problems(self, question) -> dict[str, str]:
        """Field errors of the question's own fields for this kind (Question.clean)."""
        return {}

    # --- exchange formats ------------------------------------------------------------------
    def takes(self, shape: shapes.Shape) -> bool:
        """Whether answers of this shape become a question of this kind."""
        return isinstance(shape, self.shape_type)

    def from_shape(self, shape: shapes.Shape) -> shapes.Made:
        """The question's fields and choices for answers of this shape, and what changed."""
        raise NotImplementedError

    def to_shape(self, question, choices) -> shapes.Shape:
        """The question's answer key as an exchange format writes it."""
        raise NotImplementedError

    # --- the bank check -----------------------------------------------------------------
    def bank_phrases(self, key: scoring.AnswerKey) -> list[str]:
        """The right answers as phrases a text may state."""
        return [c.text for c in key.choices if c.is_correct]

    def bank_items(self, key: scoring.AnswerKey) -> list[tuple[str, ...]]:
        """What the cited sections must hold together, item by item (pairs, steps)."""
        return []

    def bank_key_lines(self, key: scoring.AnswerKey) -> list[str]:
        """The right answer as feedback shows it, line by line."""
        return self.bank_phrases(key)

    # --- answers for generated data, benchmarks and tests ------------------------------
    def sample_answers(self, key: scoring.AnswerKey) -> list:
        """The right answer first, then a few wrong or partly right ones, stored forms."""
        raise NotImplementedError

    def random_answer(self, key: scoring.AnswerKey, rng: random.Random):
        """Some answer of the right shape, in its stored form."""
        return rng.choice(self.sample_answers(key))

    def example_choices(self) -> list[tuple]:
        """Choices a test's question of this kind gets when it names none:
        [(text, is_correct, match_text?)]."""
        return []

    def example(self) -> tuple[dict, list[tuple]]:
        """A complete, valid question of this kind for tests: its own fields and its
        choices as example_choices gives them."""
        return {}, self.example_choices()


def carried_ids(ids, moved: dict[int, int]) -> list[int] | None:
    """Each choice id in another version of the question, or None if one has none."""
    carried = [moved.get(choice_id) for choice_id in ids]
    return None if None in carried else carried


def percent(fraction: Fraction) -> str:
    """A share of the points as the formats write it: 50%, 33.33333%."""
    return f"{round(float(fraction) * 100, 5):g}%"


def feedback_dropped(answers) -> list[str]:
    """One line for answers whose own feedback this app has no place for."""
    named = [f"“{answer.text}”" for answer in answers if answer.feedback.strip()]
    if not named:
        return []
    return [
        gettext("The feedback on %(answers)s is dropped: students read the explanation instead.")
        % {"answers": ", ".join(named)}
    ]


def tokens_by_value(attempt, question, role) -> dict[str, int]:
    """The attempt's item tokens for `role`, resolved back to choice ids."""
    return {token: choice_id for choice_id, token in attempt.item_tokens(question, role).items()}


def int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
