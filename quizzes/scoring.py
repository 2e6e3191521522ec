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
from functools import lru_cache

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

# The words students write for the units the engine knows, by symbol: a question in
# grams takes "g", "gram", "grams" and "gramme" alike. Teachers add their own words for
# any other unit (AnswerKey.unit_words); plurals need no listing (see unit_name).
UNIT_WORDS = {
    "mg": ("milligram", "milligramme"),
    "g": ("gram", "gramme", "gm"),
    "kg": ("kilogram", "kilogramme", "kilo", "kgs"),
    "t": ("tonne", "metric ton"),
    "mm": ("millimetre", "millimeter"),
    "cm": ("centimetre", "centimeter"),
    "m": ("metre", "meter"),
    "km": ("kilometre", "kilometer", "kms"),
    "yr": ("year", "yrs"),
    "month": ("mo", "mos"),
    "day": ("d",),
    "%": ("percent", "per cent"),
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
    unit_words: tuple[str, ...] = ()  # the teacher's other words for `unit`
    ignore_articles: bool = False  # short text: "the U.S." is "U.S."
    synonyms: tuple[tuple[str, ...], ...] = ()  # short text: groups of equal forms

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


def match_form(key: AnswerKey, text: str) -> str:
    """The form a short answer is compared in: normalised (see normalise_text), then,
    when the key says so, without a leading "the", "a" or "an", and with every listed
    synonym replaced by the first form of its group, as whole words anywhere in the
    answer: with "U.S. = USA = United States", "the United States" and "U.S." are both
    "us", and "United States Congress" is "us congress".
    """
    form = normalise_text(text, key.strict_text)
    if key.ignore_articles:
        form = _without_article(form)
    if key.synonyms:
        pattern, first_forms = _synonym_pattern(key.synonyms, key.strict_text, key.ignore_articles)
        if pattern is not None:
            form = pattern.sub(lambda found: first_forms[found[0]], form)
    return form


def short_text_fraction(key: AnswerKey, answer: str) -> Fraction:
    given = match_form(key, answer)
    accepted = {match_form(key, c.text) for c in key.choices if c.is_correct}
    return Fraction(1 if given in accepted else 0)


def parse_synonyms(text: str) -> tuple[tuple[str, ...], ...]:
    """A teacher's synonym list, one group per line, forms separated by "=":
    "U.S. = USA = United States" -> (("U.S.", "USA", "United States"),)."""
    groups = []
    for line in text.splitlines():
        forms = tuple(form.strip() for form in line.split("=") if form.strip())
        if len(forms) > 1:
            groups.append(forms)
    return tuple(groups)


def parse_unit_words(text: str) -> tuple[str, ...]:
    """A teacher's other words for a unit, comma-separated: "round, rounds"."""
    return tuple(word.strip() for word in text.split(",") if word.strip())


ARTICLES = ("the", "a", "an")


def _without_article(form: str) -> str:
    first, _space, rest = form.partition(" ")
    # "A" alone stays an answer: only an article before other words is dropped.
    return rest if rest and first.casefold() in ARTICLES else form


@lru_cache(maxsize=256)
def _synonym_pattern(groups, strict, articles) -> tuple[re.Pattern | None, dict[str, str]]:
    """One pattern for every form of every group (longest first, so "united states of
    america" wins over "united states"), and the first form each one stands for. Groups
    that share a form are one group: "U.S. = USA" and "USA = America" make America U.S."""
    merged: list[list[str]] = []
    for group in groups:
        forms = [normalise_text(form, strict) for form in group]
        if articles:
            forms = [_without_article(form) for form in forms]
        forms = [form for form in forms if form]
        joined = [m for m in merged if set(m) & set(forms)]
        for m in joined:
            merged.remove(m)
        merged.append([form for m in joined for form in m] + forms)
    first_forms = {form: group[0] for group in merged for form in group}
    if not first_forms:
        return None, first_forms
    alternatives = "|".join(re.escape(form) for form in sorted(first_forms, key=len, reverse=True))
    # Whole words only: "us" must not change "bonus" or "used".
    return re.compile(rf"(?<!\S)(?:{alternatives})(?!\S)"), first_forms


# A sign, digits (commas or spaces only between groups of three) and a decimal part,
# then a unit that cannot start like more of the number: so "1,73,1" is malformed, not 1
# in ",73,1". Thin and no-break spaces group thousands too, as typeset numbers do.
NUMBER = re.compile(
    r"\s*(?P<number>[-+]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+"
    r"|[0-9]{1,3}(?:[ \u00a0\u2009\u202f][0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+))"
    r"\s*(?P<unit>(?![\s0-9.,+-]).*?)\s*"
)
NOT_A_NUMBER = _("Enter a number in digits, for example 42 or 4,500; a unit may follow it.")


def parse_number(text: str) -> tuple[Decimal, str]:
    """'1,731 g' -> (Decimal('1731'), 'g'). Commas or spaces group thousands; the point
    is decimal."""
    match = NUMBER.fullmatch(text.replace("\u2212", "-"))  # U+2212 is the typeset minus
    if not match:
        raise InvalidAnswer(NOT_A_NUMBER)
    digits = re.sub(r"[, \u00a0\u2009\u202f]", "", match["number"])
    return Decimal(digits), match["unit"]


def numeric_fraction(key: AnswerKey, answer: str) -> Fraction:
    """Full marks within the tolerance (inclusive), in the key's unit (any of its words,
    singular or plural) or, when the key allows it, a convertible one; no unit counts as
    the key's unit; a wrong unit scores 0."""
    value, unit = parse_number(answer)
    if key.value is None:
        return Fraction(0)
    amount = Fraction(value)
    if unit and unit_name(unit) not in key_unit_names(key):
        given = UNIT_FACTORS.get(unit_name(unit))
        wanted = UNIT_FACTORS.get(unit_name(key.unit))
        if not (key.unit_convertible and given and wanted and given[0] == wanted[0]):
            return Fraction(0)
        # Exact: going through float overflowed on long answers and rounded near the edge.
        amount = amount * given[1] / wanted[1]
    return Fraction(1 if abs(amount - Fraction(key.value)) <= Fraction(key.tolerance) else 0)


def key_unit_names(key: AnswerKey) -> set[str]:
    """The names (see unit_name) of every way to write the key's own unit."""
    return {unit_name(key.unit)} | {unit_name(word) for word in key.unit_words}


def accepted_units(key: AnswerKey) -> tuple[list[str], list[str]]:
    """What a teacher sees: the words that name the key's unit, and the units that
    convert to it (empty unless the key allows converting)."""
    words = [key.unit, *key.unit_words] if key.unit else list(key.unit_words)
    symbol = unit_name(key.unit)
    if symbol in UNIT_WORDS:
        words += [symbol, *UNIT_WORDS[symbol]]
    same = list(dict.fromkeys(w for w in words if w))  # in order, without repeats
    converted = []
    if key.unit_convertible and symbol in UNIT_FACTORS:
        family = UNIT_FACTORS[symbol][0]
        converted = [u for u, (f, _factor) in UNIT_FACTORS.items() if f == family and u != symbol]
    return same, converted


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


_SYMBOL_BY_WORD = {
    word: symbol for symbol, words in UNIT_WORDS.items() for word in (symbol, *words)
} | {symbol: symbol for symbol in UNIT_FACTORS}


def unit_name(unit: str) -> str:
    """The name a unit is compared by: its symbol when the engine knows it ("Grams",
    "gram" and "g" are all "g"), otherwise the word in lower case and in the singular
    ("Rounds" and "round" are "round"). What follows "of" says what is counted, not the
    unit: "3 rounds of talks" is 3 rounds, "1731 grams of rock" 1731 g."""
    name = " ".join(unit.strip(" .").split()).casefold().split(" of ")[0]
    if name in _SYMBOL_BY_WORD:
        return _SYMBOL_BY_WORD[name]
    singular = _singular(name)
    return _SYMBOL_BY_WORD.get(singular, singular)


def _singular(name: str) -> str:
    """The last word without its English plural ending, the regular ones: rounds,
    countries, inches. A word and its plural always come out the same ("axe" and "axes"
    are "ax", "movie" and "movies" "movy"); short words keep their "s", so "ms" is never
    "m"."""
    head, _space, word = name.rpartition(" ")
    if len(word) >= 4:
        if word.endswith("ies"):
            word = word[:-3] + "y"
        elif word.endswith(("sses", "shes", "ches", "xes", "zes")):
            word = word[:-2]
        elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    # "axes" may be axe or ax, "cases" case: an "e" after s, x, z, ch or sh never counts.
    if len(word) >= 3 and word.endswith(("se", "xe", "ze", "che", "she")):
        word = word[:-1]
    if len(word) >= 3 and word.endswith("ie"):
        word = word[:-2] + "y"
    return f"{head} {word}" if head else word


def _longest_increasing(values: list[int]) -> int:
    tails: list[int] = []
    for value in values:
        i = bisect_left(tails, value)
        tails[i : i + 1] = [value]
    return len(tails)
