"""Scoring: one plain function per question kind, no Django.

An answer is the JSON-friendly value a Response stores:
- single, true_false: a choice id (int)
- multiple: a list of choice ids
- short_text, numeric, essay: a string
- ordering: a list of every choice id, in the student's order
- matching: {left choice id (str): right choice id}; a right item is named by the
  choice that carries it as `match_text`

`clean_answer` checks an answer against the key (raising InvalidAnswer with a
message for the student); `score` turns a clean answer into points, or None
when a teacher must mark it.
"""

import math
import re
import secrets
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"
SHORT_TEXT, NUMERIC, ORDERING, MATCHING, ESSAY = (
    "short_text",
    "numeric",
    "ordering",
    "matching",
    "essay",
)
CHOICE_KINDS = {SINGLE, MULTIPLE, TRUE_FALSE}

# What clean_answer returns: an id, a text, a list of ids or {left id: right id}.
Answer = int | str | list[int] | dict[str, int]

# Units that "accept converted units" may convert between: factor to the family's base.
UNIT_FACTORS = {
    "mg": ("mass", Fraction(1, 1000)),
    "g": ("mass", Fraction(1)),
    "kg": ("mass", Fraction(1000)),
    "t": ("mass", Fraction(1_000_000)),
    "mm": ("length", Fraction(1, 1000)),
    "cm": ("length", Fraction(1, 100)),
    "m": ("length", Fraction(1)),
    "km": ("length", Fraction(1000)),
}


def _(message: str) -> str:
    """Marks a message for translation (makemessages finds `_`); views translate it."""
    return message


class InvalidAnswer(ValueError):
    """An answer that cannot be stored: wrong shape, unknown choice, not a number."""


@dataclass(frozen=True)
class KeyChoice:
    id: int
    text: str
    is_correct: bool = False
    match_text: str = ""


@dataclass(frozen=True)
class AnswerKey:
    kind: str
    choices: tuple[KeyChoice, ...] = ()  # in their right order for ordering questions
    strict_text: bool = False
    value: Decimal | None = None
    tolerance: Decimal = Decimal(0)
    unit: str = ""
    unit_convertible: bool = False

    @property
    def choice_ids(self) -> set[int]:
        return {c.id for c in self.choices}


def new_seed() -> int:
    return secrets.randbelow(2**31)


def clean_answer(key: AnswerKey, answer: object) -> Answer:
    """Return the answer in its stored form, or raise InvalidAnswer.

    Any JSON-like input gets either a clean answer or InvalidAnswer, never another
    error, and cleaning a clean answer returns it unchanged.
    """
    ids = key.choice_ids
    if key.kind in (SINGLE, TRUE_FALSE):
        if not isinstance(answer, int) or isinstance(answer, bool) or answer not in ids:
            raise InvalidAnswer(_("Choose one of the options."))
        return answer
    if key.kind == MULTIPLE:
        if not isinstance(answer, list) or not all(_is_id(a, ids) for a in answer):
            raise InvalidAnswer(_("Tick the options you think are right."))
        return sorted(set(answer))
    if key.kind in (SHORT_TEXT, ESSAY):
        text = _clean_text(answer, 10_000)
        if not text:
            raise InvalidAnswer(_("Write an answer first."))
        return text
    if key.kind == NUMERIC:
        text = _clean_text(answer, 100)  # no real amount needs more; keeps parsing cheap
        if not text:
            raise InvalidAnswer(_("Enter a number."))
        parse_number(text)
        return text
    if key.kind == ORDERING:
        # Check the ids before comparing them: sorting a mix of types raises TypeError,
        # and True == 1 would let a boolean pass as choice 1.
        if (
            not isinstance(answer, list)
            or not all(_is_id(a, ids) for a in answer)
            or len(answer) != len(ids)
            or set(answer) != ids
        ):
            raise InvalidAnswer(_("Place every item exactly once."))
        return list(answer)
    if key.kind == MATCHING:
        if not isinstance(answer, dict):
            raise InvalidAnswer(_("Match every item."))
        # Each pair is one choice: its text is the left item and its match_text the right.
        items = {c.id for c in key.choices if c.match_text}
        cleaned = {}
        for left, right in answer.items():
            # JSON keys are strings of digits; int() would also take True, 1.9 or "1_0".
            left_id = (
                int(left) if isinstance(left, str) and left.isascii() and left.isdigit() else left
            )
            if not _is_id(left_id, items) or not _is_id(right, items):
                raise InvalidAnswer(_("Match every item."))
            cleaned[str(left_id)] = right
        if not cleaned:
            raise InvalidAnswer(_("Match at least one item."))
        return cleaned
    raise InvalidAnswer(_("Unknown kind of question."))


def score(key: AnswerKey, answer: Answer, points: Decimal) -> Decimal | None:
    """Points for a clean answer, rounded half up to 0.01; None when a teacher must mark it."""
    if key.kind == ESSAY:
        return None
    fraction = FRACTION_BY_KIND[key.kind](key, answer)
    fraction = min(max(fraction, Fraction(0)), Fraction(1))
    # Round the exact value: dividing in Decimal first cuts 7/12 to 28 digits, so 7/12
    # of 1.62 points (exactly 0.945) came out 0.94 instead of 0.95.
    cents = math.floor(fraction * Fraction(points) * 100 + Fraction(1, 2))
    return Decimal(cents).scaleb(-2)


def single_fraction(key: AnswerKey, answer: int) -> Fraction:
    correct = {c.id for c in key.choices if c.is_correct}
    return Fraction(1 if answer in correct else 0)


def multiple_fraction(key: AnswerKey, answer: list[int]) -> Fraction:
    """Each right tick earns its share, each wrong tick costs its share, never below 0:
    ticking all earns 0 unless every option is right, ticking nothing earns 0 unless none is."""
    correct = {c.id for c in key.choices if c.is_correct}
    wrong = key.choice_ids - correct
    ticked = set(answer)
    # With no right option, ticking nothing is the right answer.
    earned = Fraction(len(ticked & correct), len(correct)) if correct else Fraction(1)
    lost = Fraction(len(ticked & wrong), len(wrong)) if wrong else Fraction(0)
    return max(earned - lost, Fraction(0))


def normalise_text(text: str, strict: bool = False) -> str:
    """The form two short answers are compared in.

    Always: spaces at the ends are dropped and runs of spaces count as one.
    Strict: nothing else changes, except that Unicode is composed (NFC), so "é"
    typed as e + accent is still "é".
    Otherwise case and accents are ignored, and punctuation is ignored like this:
    - dashes, hyphens, underscores and slashes separate words, like a space:
      "Chang'e-5", "Chang'e 5" and "Change 5" are all "change 5";
    - any other punctuation (apostrophes, full stops, commas, quotes, !?) is
      deleted without a space: "Chang'e" is "change", "U.S.A." is "usa";
    - a space is never ignored: "Change5" and "Chang e 5" differ from "change 5"
      (a teacher who wants them accepts them as well).
    Symbols are kept: "C++" is not "C".
    """
    if strict:
        return " ".join(unicodedata.normalize("NFC", text).split())
    # Decompose first so accents become separate marks ("é" -> "e" + accent) to drop.
    folded = unicodedata.normalize("NFKD", text).casefold()
    kept = []
    for ch in folded:
        category = unicodedata.category(ch)
        if unicodedata.combining(ch):
            continue  # an accent
        if category in ("Pd", "Pc") or ch == "/":
            kept.append(" ")
        elif not category.startswith("P") and ch != "\u02bc":  # U+02BC is an apostrophe
            kept.append(ch)
    return " ".join("".join(kept).split())


def short_text_fraction(key: AnswerKey, answer: str) -> Fraction:
    given = normalise_text(answer, key.strict_text)
    accepted = {normalise_text(c.text, key.strict_text) for c in key.choices if c.is_correct}
    return Fraction(1 if given in accepted else 0)


# A sign, digits (commas only between groups of three) and a decimal part, then a unit
# that cannot start like more of the number: so "1,73,1" is malformed, not 1 in ",73,1".
NUMBER = re.compile(
    r"\s*(?P<number>[-+]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+))"
    r"\s*(?P<unit>(?![\s0-9.,+-]).*?)\s*"
)
NOT_A_NUMBER = _("Enter a number, for example 1731 or 1,731.")


def parse_number(text: str) -> tuple[Decimal, str]:
    """'1,731 g' -> (Decimal('1731'), 'g'). Commas group thousands; the point is decimal."""
    match = NUMBER.fullmatch(text.replace("\u2212", "-"))  # U+2212 is the typeset minus
    if not match:
        raise InvalidAnswer(NOT_A_NUMBER)
    return Decimal(match["number"].replace(",", "")), match["unit"]


def numeric_fraction(key: AnswerKey, answer: str) -> Fraction:
    """Full marks within the tolerance (inclusive), in the key's unit or, when the key
    allows it, a convertible one; no unit counts as the key's unit; a wrong unit scores 0."""
    value, unit = parse_number(answer)
    if key.value is None:
        return Fraction(0)
    amount = Fraction(value)
    unit, wanted_unit = _unit(unit), _unit(key.unit)
    if unit and unit != wanted_unit:
        given, wanted = UNIT_FACTORS.get(unit), UNIT_FACTORS.get(wanted_unit)
        if not (key.unit_convertible and given and wanted and given[0] == wanted[0]):
            return Fraction(0)
        # Exact: going through float overflowed on long answers and rounded near the edge.
        amount = amount * given[1] / wanted[1]
    return Fraction(1 if abs(amount - Fraction(key.value)) <= Fraction(key.tolerance) else 0)


def ordering_fraction(key: AnswerKey, answer: list[int]) -> Fraction:
    """(longest subsequence in the right relative order - 1) / (items - 1): reversed earns 0,
    one swap of neighbours among 4 items earns 2/3."""
    right_place = {c.id: i for i, c in enumerate(key.choices)}
    positions = [right_place[item] for item in answer]
    if len(positions) < 2:
        return Fraction(1)
    return Fraction(_longest_increasing(positions) - 1, len(positions) - 1)


def matching_fraction(key: AnswerKey, answer: dict[str, int]) -> Fraction:
    """The share of pairs matched right; a right item is compared by its text, so two
    pairs with the same match_text accept either carrier."""
    pairs = [c for c in key.choices if c.match_text]
    if not pairs:
        return Fraction(0)
    texts = {c.id: c.match_text for c in key.choices}
    right = sum(1 for c in pairs if texts.get(answer.get(str(c.id))) == c.match_text)
    return Fraction(right, len(pairs))


FRACTION_BY_KIND = {
    SINGLE: single_fraction,
    TRUE_FALSE: single_fraction,
    MULTIPLE: multiple_fraction,
    SHORT_TEXT: short_text_fraction,
    NUMERIC: numeric_fraction,
    ORDERING: ordering_fraction,
    MATCHING: matching_fraction,
}


def _is_id(value: object, ids: set[int]) -> bool:
    # bool is a subclass of int, but True is not choice 1.
    return isinstance(value, int) and not isinstance(value, bool) and value in ids


def _clean_text(answer: object, limit: int) -> str:
    if not isinstance(answer, str):
        return ""
    # PostgreSQL cannot store NUL in text or JSON, so it goes before anything else.
    text = answer.replace("\x00", "").strip()
    if len(text) > limit:
        raise InvalidAnswer(_("That answer is too long."))
    return text


def _unit(unit: str) -> str:
    return " ".join(unit.split()).casefold()


def _longest_increasing(values: list[int]) -> int:
    tails: list[int] = []
    for value in values:
        i = bisect_left(tails, value)
        tails[i : i + 1] = [value]
    return len(tails)
