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

import re
import secrets
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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


def clean_answer(key: AnswerKey, answer):
    """Return the answer in its stored form, or raise InvalidAnswer."""
    ids = key.choice_ids
    if key.kind in (SINGLE, TRUE_FALSE):
        if not isinstance(answer, int) or isinstance(answer, bool) or answer not in ids:
            raise InvalidAnswer("Choose one of the options.")
        return answer
    if key.kind == MULTIPLE:
        if not isinstance(answer, list) or not all(_is_id(a, ids) for a in answer):
            raise InvalidAnswer("Tick the options you think are right.")
        return sorted(set(answer))
    if key.kind in (SHORT_TEXT, ESSAY):
        if not isinstance(answer, str) or not answer.strip():
            raise InvalidAnswer("Write an answer first.")
        if len(answer) > 10_000:
            raise InvalidAnswer("That answer is too long.")
        return answer.strip()
    if key.kind == NUMERIC:
        if not isinstance(answer, str):
            raise InvalidAnswer("Enter a number.")
        parse_number(answer)
        return answer.strip()
    if key.kind == ORDERING:
        if not isinstance(answer, list) or sorted(answer) != sorted(ids) or len(answer) != len(ids):
            raise InvalidAnswer("Place every item exactly once.")
        return answer
    if key.kind == MATCHING:
        if not isinstance(answer, dict):
            raise InvalidAnswer("Match every item.")
        cleaned = {}
        for left, right in answer.items():
            try:
                left_id = int(left)
            except (TypeError, ValueError):
                raise InvalidAnswer("Match every item.") from None
            if left_id not in ids or not _is_id(right, ids):
                raise InvalidAnswer("Match every item.")
            cleaned[str(left_id)] = right
        if not cleaned:
            raise InvalidAnswer("Match at least one item.")
        return cleaned
    raise InvalidAnswer("Unknown kind of question.")


def score(key: AnswerKey, answer, points: Decimal) -> Decimal | None:
    """Points for a clean answer; None when a teacher must mark it (essays)."""
    if key.kind == ESSAY:
        return None
    fraction = FRACTION_BY_KIND[key.kind](key, answer)
    fraction = min(max(fraction, Fraction(0)), Fraction(1))
    exact = Decimal(fraction.numerator) / Decimal(fraction.denominator) * Decimal(points)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def single_fraction(key: AnswerKey, answer) -> Fraction:
    correct = {c.id for c in key.choices if c.is_correct}
    return Fraction(1 if answer in correct else 0)


def multiple_fraction(key: AnswerKey, answer) -> Fraction:
    """Each right tick earns its share, each wrong tick costs its share: ticking all earns 0."""
    correct = {c.id for c in key.choices if c.is_correct}
    wrong = key.choice_ids - correct
    ticked = set(answer)
    earned = Fraction(len(ticked & correct), len(correct)) if correct else Fraction(0)
    lost = Fraction(len(ticked & wrong), len(wrong)) if wrong else Fraction(0)
    return max(earned - lost, Fraction(0))


def normalise_text(text: str, strict: bool = False) -> str:
    text = " ".join(text.split())
    if strict:
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and not unicodedata.category(ch).startswith("P")
    )
    return " ".join(kept.casefold().split())


def short_text_fraction(key: AnswerKey, answer) -> Fraction:
    given = normalise_text(answer, key.strict_text)
    accepted = {normalise_text(c.text, key.strict_text) for c in key.choices if c.is_correct}
    return Fraction(1 if given in accepted else 0)


NUMBER = re.compile(r"^\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*([^\d\s].*?)?\s*$")


def parse_number(text: str) -> tuple[Decimal, str]:
    """'1,731 g' -> (Decimal('1731'), 'g'). Commas group thousands; the point is decimal."""
    match = NUMBER.match(text)
    if not match:
        raise InvalidAnswer("Enter a number, for example 1731 or 1,731.")
    number, unit = match.groups()
    try:
        return Decimal(number.replace(",", "")), (unit or "").strip()
    except InvalidOperation:
        raise InvalidAnswer("Enter a number, for example 1731 or 1,731.") from None


def numeric_fraction(key: AnswerKey, answer) -> Fraction:
    value, unit = parse_number(answer)
    if unit and unit.casefold() != key.unit.casefold():
        given, wanted = UNIT_FACTORS.get(unit.casefold()), UNIT_FACTORS.get(key.unit.casefold())
        if not (key.unit_convertible and given and wanted and given[0] == wanted[0]):
            return Fraction(0)
        value = Decimal(str(float(Fraction(value) * given[1] / wanted[1])))
    if key.value is None:
        return Fraction(0)
    return Fraction(1 if abs(value - key.value) <= key.tolerance else 0)


def ordering_fraction(key: AnswerKey, answer) -> Fraction:
    """Credit for each item beyond the first in the longest run kept in the right relative order."""
    right_place = {c.id: i for i, c in enumerate(key.choices)}
    positions = [right_place[item] for item in answer]
    if len(positions) < 2:
        return Fraction(1)
    return Fraction(_longest_increasing(positions) - 1, len(positions) - 1)


def matching_fraction(key: AnswerKey, answer) -> Fraction:
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


def _is_id(value, ids) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in ids


def _longest_increasing(values: list[int]) -> int:
    from bisect import bisect_left

    tails: list[int] = []
    for value in values:
        i = bisect_left(tails, value)
        tails[i : i + 1] = [value]
    return len(tails)
