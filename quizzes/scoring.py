"""Scoring's shared parts, no Django: the answer key, the comparison of typed text and
numbers, and rounding to points.

Each kind of question cleans and scores its own answers (quizzes.kinds) with these: an
answer key (AnswerKey) is the plain form of a question's key, `clean` raises InvalidAnswer
with a message for the student, and `points_for` turns a kind's fraction into points.
"""

import math
import re
import secrets
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

# What a kind's clean() returns: an id, a text, a list of ids, {id: id} or {id: text}.
Answer = int | str | list[int] | dict[str, int] | dict[str, str]

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

# The words students write for the units the engine knows, by symbol, in English and in
# Chinese: a question in grams takes "g", "gram", "grams", "gramme" and "克" alike. Teachers
# add their own words for any other unit (AnswerKey.unit_words: "rounds: 轮"); plurals need
# no listing (see unit_name).
UNIT_WORDS = {
    "mg": ("milligram", "milligramme", "毫克"),
    "g": ("gram", "gramme", "gm", "克", "公克"),
    "kg": ("kilogram", "kilogramme", "kilo", "kgs", "千克", "公斤"),
    "t": ("tonne", "metric ton", "吨"),
    "mm": ("millimetre", "millimeter", "毫米"),
    "cm": ("centimetre", "centimeter", "厘米"),
    "m": ("metre", "meter", "米"),
    "km": ("kilometre", "kilometer", "kms", "千米", "公里"),
    "yr": ("year", "yrs", "年"),
    "month": ("mo", "mos", "个月"),
    "day": ("d", "天"),
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
    text_zh: str = ""  # short text and fill in the blanks accept it as well

    @property
    def texts(self) -> tuple[str, ...]:
        """The choice's text in each language it has."""
        return (self.text, self.text_zh) if self.text_zh else (self.text,)


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


def points_for(fraction: Fraction, points: Decimal) -> Decimal:
    """A share of the points (clamped to 0..1), rounded half up to 0.01."""
    fraction = min(max(fraction, Fraction(0)), Fraction(1))
    # Round the exact value: dividing in Decimal first cuts 7/12 to 28 digits, so 7/12
    # of 1.62 points (exactly 0.945) came out 0.94 instead of 0.95.
    cents = math.floor(fraction * Fraction(points) * 100 + Fraction(1, 2))
    return Decimal(cents).scaleb(-2)


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
# Full-width ASCII (U+FF01 to U+FF5E) and the ideographic space, to their ASCII forms.
FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
NOT_A_NUMBER = _("Enter a number in digits, for example 42 or 4,500; a unit may follow it.")


def parse_number(text: str) -> tuple[Decimal, str]:
    """'1,731 g' -> (Decimal('1731'), 'g'). Commas or spaces group thousands; the point
    is decimal. Full-width digits and signs, as Chinese keyboards type them ("１７３１克"),
    read as their ASCII forms."""
    text = text.translate(FULL_WIDTH)
    match = NUMBER.fullmatch(text.replace("\u2212", "-"))  # U+2212 is the typeset minus
    if not match:
        raise InvalidAnswer(NOT_A_NUMBER)
    digits = re.sub(r"[, \u00a0\u2009\u202f]", "", match["number"])
    return Decimal(digits), match["unit"]


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


def is_choice_id(value: object, ids: set[int]) -> bool:
    # bool is a subclass of int, but True is not choice 1.
    return isinstance(value, int) and not isinstance(value, bool) and value in ids


def clean_text(answer: object, limit: int) -> str:
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
