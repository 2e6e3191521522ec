"""Fill in the blanks: a passage with gaps, each gap scored on its own.

How a teacher writes one. The question is the passage, with each gap written as its
number in double brackets: "Chang'e 4 landed on the [[1]] side of the Moon in [[2]]." Each
gap is one row of the question's gaps (its choices), numbered like the gap:
- a typed gap lists the answers it accepts, separated by "|": "Yutu 2 | Jade Rabbit 2";
  they are compared like short text answers (case, spaces, accents and punctuation
  ignored unless the question asks for an exact match; articles and synonyms as set);
- a choice gap lists its words separated by "~", the right one first: "far ~ near";
  students pick one from a list in which the words come in another order for each attempt.

Why the gaps are rows and not written into the passage itself ("[[far ~ near]]"): the
passage is the question's prompt, which the summary, results and embed pages show and
teachers copy between quizzes; kept there, the key would go wherever the prompt goes. As
choices the key lives where every kind keeps it, so regrading after a change to the key,
the admin's key check and the key-secrecy tests cover it as they do the others.

The stored answer maps each gap's choice id (a string, as JSON keys are) to what the
student typed or picked; a gap left empty is left out. Score: points × right gaps / gaps.

In Chinese, each gap row has its Chinese twin: a typed gap accepts the answers of both
languages; a choice gap lists its Chinese words in the same order as the English ones, and
the answer stores the English word picked at the same place, so it scores and counts the
same whichever language the student read.
"""

import re
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from quizzes import scoring
from quizzes.interchange import shapes
from quizzes.kinds.base import MAX_CHOICE_TEXT, KindForm, QuestionKind, carried_ids
from quizzes.scoring import InvalidAnswer, clean_text

MAX_GAPS = 20  # a passage with more gaps is a worksheet: split it into questions
MAX_WORDS = 10  # words of a choice gap
MAX_GAP_ANSWER = 200  # characters a student may type into one gap
GAP = re.compile(r"\[\[\s*(\d{1,3})\s*\]\]")
TYPED, CHOSEN = "|", "~"


@dataclass(frozen=True)
class Gap:
    answers: tuple[str, ...]  # the accepted answers, or the words to choose from
    chosen: bool  # a choice of words, the right one first

    @property
    def right(self) -> str:
        return self.answers[0]


def parse_gap(text: str) -> Gap:
    """A gap row: "Yutu 2 | Jade Rabbit 2" (typed) or "far ~ near" (a choice, right first)."""
    chosen = CHOSEN in text
    parts = tuple(part.strip() for part in text.split(CHOSEN if chosen else TYPED))
    return Gap(parts, chosen)


def gap_numbers(passage: str) -> list[int]:
    """The gap numbers of a passage, in the order they come."""
    return [int(found) for found in GAP.findall(passage)]


def gaps_of(key: scoring.AnswerKey) -> dict[int, Gap]:
    """Each gap of the key, by its choice's id: a typed gap accepting both languages' answers."""
    gaps = {}
    for choice in key.choices:
        gap = parse_gap(choice.text)
        chinese = parse_gap(choice.text_zh) if choice.text_zh else None
        if chinese and not gap.chosen and not chinese.chosen:
            gap = Gap(gap.answers + chinese.answers, chosen=False)
        gaps[choice.id] = gap
    return gaps


def in_english(choice):
    """The choice as stored, whether `choice` is it or its Chinese copy (Question.translated)."""
    return getattr(choice, "in_english", choice)


def gap_is_right(key: scoring.AnswerKey, gap: Gap, given: str) -> bool:
    if gap.chosen:
        return given == gap.right
    accepted = {scoring.match_form(key, answer) for answer in gap.answers}
    return scoring.match_form(key, given) in accepted


class FillBlanks(QuestionKind):
    value = "fill_blanks"
    label = _("Fill in the blanks")
    form = KindForm(
        _("A passage with gaps; students type each missing word or pick it from a list."),
        fields=("strict_text", "ignore_articles", "synonyms"),
        choice_fields=("position", "text"),
        choices_title=_("Gaps: one row for each [[number]] in the question"),
        choice_name=_("gap"),
        choice_labels=(("position", _("gap number")), ("text", _("answers"))),
        new_choices=3,
        all_choices_correct=True,
        syntax_help=_(
            "Write the passage as the question, with each gap as its number in double "
            "brackets: “Chang'e 4 landed on the [[1]] side of the Moon in [[2]].” Then give "
            "each gap a row with the same number. A typed gap lists the answers it accepts, "
            "separated by |: “2019 | January 2019”. A gap to choose from lists its words "
            "separated by ~, the right one first: “far ~ near ~ bright”; students see them "
            "in another order."
        ),
    )
    always_shuffled = True  # a choice gap's words: the right one is written first
    legend_is_prompt = False  # the passage is the question; the legend says what to do
    bank_lookup = bank_answer = "every phrase"
    shape_type = shapes.Gaps
    moodle_type = "cloze"

    def from_shape(self, shape):
        return shapes.Made(
            fields={"prompt": shape.passage},
            choices=[
                ((f" {CHOSEN} " if gap.chosen else f" {TYPED} ").join(gap.answers), True, "")
                for gap in shape.gaps
            ],
        )

    def to_shape(self, question, choices):
        by_number = {c.position: parse_gap(c.text) for c in choices}
        # Gaps renumbered in the order the passage has them, as the formats count them.
        numbers = gap_numbers(question.prompt)
        renumbered = {n: i for i, n in enumerate(numbers, 1)}
        passage = GAP.sub(lambda found: f"[[{renumbered[int(found[1])]}]]", question.prompt)
        return shapes.Gaps(
            passage,
            tuple(
                shapes.Gap(by_number[n].answers, by_number[n].chosen)
                if n in by_number
                else shapes.Gap(("",), False)
                for n in numbers
            ),
        )

    # --- the answer -----------------------------------------------------------------------
    def clean(self, key, answer):
        if not isinstance(answer, dict):
            raise InvalidAnswer(gettext_noop("Fill in the gaps."))
        gaps = {str(pk): gap for pk, gap in gaps_of(key).items()}
        cleaned = {}
        for gap_id, given in answer.items():
            gap = gaps.get(gap_id)
            if gap is None or not isinstance(given, str):
                raise InvalidAnswer(gettext_noop("Fill in the gaps on the page."))
            text = clean_text(given, MAX_GAP_ANSWER)
            if gap.chosen and text and text not in gap.answers:
                raise InvalidAnswer(gettext_noop("Pick each word from its list."))
            if text:
                cleaned[gap_id] = text
        if not cleaned:
            raise InvalidAnswer(gettext_noop("Fill in at least one gap."))
        return dict(sorted(cleaned.items(), key=lambda item: int(item[0])))

    def acceptable(self, question, answer):
        if not isinstance(answer, dict):
            return []
        key = question.answer_key()
        gaps = {str(choice.pk): choice for choice in question.choices.all()}
        key_gaps = gaps_of(key)
        parts = []
        for gap_id, given in answer.items():
            choice = gaps.get(gap_id)
            if choice is None:
                continue
            gap = key_gaps[choice.pk]
            if not gap.chosen and not gap_is_right(key, gap, given):
                label = gettext("gap %(number)s") % {"number": choice.position}
                parts.append((choice.lineage, label, given))
        return parts

    def accept(self, choices, lineage, text, new_choice):
        (choice,) = [choice for choice in choices if choice.lineage == lineage]
        accepted = f"{choice.text} {TYPED} {text}"
        if TYPED in text or CHOSEN in text or len(accepted) > MAX_CHOICE_TEXT:
            raise ValidationError(_("This answer can't be added to the gap's answers."))
        choice.text = accepted

    def carry(self, answer, moved):
        gaps = carried_ids([int(gap) for gap in answer], moved)
        if gaps is None:
            return None
        carried = zip(map(str, gaps), answer.values(), strict=True)
        return dict(sorted(carried, key=lambda gap: int(gap[0])))

    def fraction(self, key, answer):
        gaps = gaps_of(key)
        if not gaps:
            return Fraction(0)
        right = sum(
            1
            for pk, gap in gaps.items()
            if str(pk) in answer and gap_is_right(key, gap, answer[str(pk)])
        )
        return Fraction(right, len(gaps))

    # --- the page -------------------------------------------------------------------------
    def gap_words(self, attempt, question, choice) -> list[tuple[str, str, str]]:
        """A choice gap's words as (token, the word shown, the word an answer stores): the
        token says neither the word nor its place in the row, and is the same in both
        languages, so an answer picked in one reads back in the other."""
        stored = parse_gap(in_english(choice).text).answers
        shown = parse_gap(choice.text).answers
        if len(shown) != len(stored):  # the admin refuses it; never show a list that misleads
            shown = stored
        return [
            (attempt.token(question, "word", f"{choice.pk}:{place}"), word, stored_word)
            for place, (word, stored_word) in enumerate(zip(shown, stored, strict=True))
        ]

    def stored_words(self, attempt, question, choice) -> dict[str, str]:
        """A choice gap's stored words by their tokens."""
        return {
            token: stored for token, _shown, stored in self.gap_words(attempt, question, choice)
        }

    def read(self, attempt, question, data):
        fields = attempt.item_tokens(question, "gap")
        raw = {}
        for choice in question.choices.all():
            posted = data.get(f"gap-{fields[choice.pk]}", "")
            if parse_gap(choice.text).chosen and posted:
                # An unknown word stays in as None, so clean() refuses it.
                posted = self.stored_words(attempt, question, choice).get(posted)
            raw[str(choice.pk)] = posted
        return raw

    def post_data(self, attempt, question, answer):
        fields = attempt.item_tokens(question, "gap")
        data = {}
        for choice in question.choices.all():
            given = answer.get(str(choice.pk), "")
            if parse_gap(choice.text).chosen and given:
                tokens = self.stored_words(attempt, question, choice)
                given = next(token for token, word in tokens.items() if word == given)
            data[f"gap-{fields[choice.pk]}"] = given
        return data

    def page_fields(self, attempt, question):
        fields = attempt.item_tokens(question, "gap")
        return {
            f"gap-{fields[c.pk]}": list(self.stored_words(attempt, question, c))
            if parse_gap(c.text).chosen
            else []
            for c in question.choices.all()
        }

    def widget(self, attempt, question, answer):
        """The passage cut at its gaps: text, then a gap's field, then text..."""
        given = answer if isinstance(answer, dict) else {}
        fields = attempt.item_tokens(question, "gap")
        by_number = {c.position: c for c in question.choices.all()}
        numbers = gap_numbers(question.prompt)
        parts = []
        for n, piece in enumerate(GAP.split(question.prompt)):
            if n % 2 == 0:
                parts.append({"text": piece})
                continue
            choice = by_number.get(int(piece))
            if choice is None:  # a gap the key doesn't have: the admin refuses it
                parts.append({"text": "…"})
                continue
            gap = parse_gap(choice.text)
            value = given.get(str(choice.pk), "")
            options = []
            if gap.chosen:
                words = self.gap_words(attempt, question, choice)
                options = [
                    {"token": token, "word": word, "selected": stored == value}
                    for token, word, stored in attempt.shuffled(question, words, salt=choice.pk)
                ]
            parts.append(
                {
                    "gap": {
                        "field": fields[choice.pk],
                        "row": choice.position,  # its [[number]]
                        "number": len([p for p in parts if "gap" in p]) + 1,
                        "total": len(numbers),
                        "options": options,
                        "value": value,
                    }
                }
            )
        return {"parts": parts}

    def reading(self, attempt, question):
        """Each choice gap's words, as the page lists them."""
        lines = []
        for part in self.widget(attempt, question, None)["parts"]:
            options = part.get("gap", {}).get("options")
            if options:
                words = " / ".join(option["word"] for option in options)
                lines.append(f"({part['gap']['row']}) {words}")  # as prompt_text numbers it
        return [lines] if lines else []

    def prompt_text(self, question):
        return GAP.sub(lambda found: f"___ ({found[1]})", question.prompt)

    def legend(self, question):
        return str(_("Fill in the gaps."))

    # --- words ----------------------------------------------------------------------------
    def answer_display(self, question, answer):
        given = answer if isinstance(answer, dict) else {}
        shown = []
        for choice in question.choices.all():
            text = given.get(str(choice.pk)) or "—"
            gap = parse_gap(choice.text)
            if gap.chosen:  # the word picked, in the language of the question's copy
                stored = parse_gap(in_english(choice).text).answers
                if text in stored and len(stored) == len(gap.answers):
                    text = gap.answers[stored.index(text)]
            shown.append(f"({choice.position}) {text}")
        return "; ".join(shown)

    def key_display(self, question):
        shown = []
        for choice in question.choices.all():
            gap = parse_gap(choice.text)
            shown.append(
                f"({choice.position}) {' / '.join(gap.answers[:1] if gap.chosen else gap.answers)}"
            )
        return "; ".join(shown)

    def key_problems(self, question, choices):
        problems = []
        numbers = gap_numbers(question.prompt or "")
        rows = [c.position for c in choices]
        if not numbers:
            problems.append(_("Mark at least one gap in the question, as [[1]]."))
        if len(numbers) > MAX_GAPS or len(choices) > MAX_GAPS:
            problems.append(_("Give at most %(max)d gaps.") % {"max": MAX_GAPS})
            return problems
        if len(set(numbers)) != len(numbers):
            problems.append(_("Each gap number appears once in the question."))
        missing = sorted(set(numbers) - set(rows))
        unused = sorted(set(rows) - set(numbers))
        if missing:
            problems.append(
                _("Give a row to each gap of the question; no row for: %(gaps)s.")
                % {"gaps": ", ".join(f"[[{n}]]" for n in missing)}
            )
        if unused:
            problems.append(
                _("Every row needs its gap in the question; none for row %(gaps)s.")
                % {"gaps": ", ".join(str(n) for n in unused)}
            )
        for choice in choices:
            gap = parse_gap(choice.text)
            where = {"gap": choice.position}
            if not all(gap.answers):
                problems.append(
                    _("Gap %(gap)s has an empty answer: write each one between the | or ~.") % where
                )
            elif gap.chosen and len(gap.answers) < 2:
                problems.append(_("Gap %(gap)s needs a wrong word after the right one.") % where)
            elif gap.chosen and len(gap.answers) > MAX_WORDS:
                problems.append(
                    _("Gap %(gap)s offers more than %(max)d words.") % {**where, "max": MAX_WORDS}
                )
            elif gap.chosen and len(set(gap.answers)) != len(gap.answers):
                problems.append(_("Gap %(gap)s offers the same word twice.") % where)
            elif TYPED in choice.text and gap.chosen:
                problems.append(
                    _("Gap %(gap)s mixes | and ~: a gap is typed or chosen, not both.") % where
                )
        return problems

    def chinese_problems(self, question, choices):
        problems = []
        if sorted(gap_numbers(question.prompt_zh)) != sorted(gap_numbers(question.prompt)):
            problems.append(_("The question in Chinese needs the same [[numbers]] as in English."))
        for choice in choices:
            where = {"gap": choice.position}
            if not choice.text_zh:
                problems.append(_("Give gap %(gap)s its answers in Chinese too.") % where)
                continue
            gap, chinese = parse_gap(choice.text), parse_gap(choice.text_zh)
            if gap.chosen != chinese.chosen:
                problems.append(
                    _("Gap %(gap)s is typed in one language and chosen in the other.") % where
                )
            elif gap.chosen and len(gap.answers) != len(chinese.answers):
                problems.append(
                    _(
                        "Gap %(gap)s needs as many words in Chinese as in English, in the "
                        "same order: the right one first."
                    )
                    % where
                )
        return problems

    # --- the bank check and generated answers ---------------------------------------------
    def bank_phrases(self, key):
        return [gap.right for gap in gaps_of(key).values()]

    def sample_answers(self, key):
        gaps = gaps_of(key)
        right = {str(pk): gap.right for pk, gap in gaps.items()}
        wrong = {
            str(pk): gap.answers[-1] if gap.chosen else "I don't know" for pk, gap in gaps.items()
        }
        first = next(iter(right))
        return [right, wrong, {**wrong, first: right[first]}]

    def random_answer(self, key, rng):
        return {
            str(pk): rng.choice(gap.answers) if gap.chosen else rng.choice([gap.right, "Pluto"])
            for pk, gap in gaps_of(key).items()
        }

    def example(self):
        return (
            {"prompt": "Chang'e 4 landed on the [[1]] side of the Moon in [[2]]."},
            [("far ~ near ~ bright", True), ("2019 | January 2019", True)],
        )
