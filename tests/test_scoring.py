"""The scoring rules, by example and by property. Plain functions: no database."""

import string
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from quizzes.kinds import clean_answer, score
from quizzes.scoring import (
    UNIT_WORDS,
    AnswerKey,
    InvalidAnswer,
    KeyChoice,
    accepted_units,
    match_form,
    new_seed,
    normalise_text,
    parse_number,
    parse_synonyms,
    parse_unit_words,
)

# The kinds' stored values (quizzes.kinds).
SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"
SHORT_TEXT, NUMERIC, ORDERING, MATCHING, ESSAY = (
    "short_text",
    "numeric",
    "ordering",
    "matching",
    "essay",
)

TWO = Decimal("2.00")
THREE = Decimal("3.00")

# No example database: it would write a .hypothesis folder into the project.
fast = settings(max_examples=150, deadline=None, database=None)


def points_for(key: AnswerKey, answer: object, points: Decimal = TWO) -> Decimal | None:
    """Score an answer the way the app does: clean it first."""
    return score(key, clean_answer(key, answer), points)


# --- single choice and true/false -------------------------------------------------

PLANETS = AnswerKey(
    SINGLE,
    (KeyChoice(1, "Mercury"), KeyChoice(2, "Venus", is_correct=True), KeyChoice(3, "Mars")),
)
TRUE_OR_FALSE = AnswerKey(TRUE_FALSE, (KeyChoice(7, "True", True), KeyChoice(8, "False")))


def test_choosing_the_right_option_earns_full_points():
    assert points_for(PLANETS, 2) == TWO


def test_choosing_a_wrong_option_earns_nothing():
    assert points_for(PLANETS, 1) == Decimal("0.00")


def test_true_false_scores_like_single_choice():
    assert points_for(TRUE_OR_FALSE, 7) == TWO
    assert points_for(TRUE_OR_FALSE, 8) == Decimal("0.00")


@pytest.mark.parametrize("answer", [4, "2", None, [2], 2.0])
def test_single_choice_accepts_only_an_id_of_one_of_its_options(answer):
    with pytest.raises(InvalidAnswer, match="Choose one of the options"):
        clean_answer(PLANETS, answer)


def test_booleans_are_not_choice_ids():
    one_two = (KeyChoice(1, "a", True, "x"), KeyChoice(2, "b", False, "y"))
    for kind, answer in [
        (SINGLE, True),
        (TRUE_FALSE, True),
        (MULTIPLE, [True]),
        (ORDERING, [True, 2]),
        (MATCHING, {"1": True}),
        (MATCHING, {True: 1}),
    ]:
        with pytest.raises(InvalidAnswer):
            clean_answer(AnswerKey(kind, one_two), answer)


# --- multiple response: ids 1 and 2 are right, 3 and 4 wrong --------------------------

TWO_OF_FOUR = AnswerKey(
    MULTIPLE,
    (
        KeyChoice(1, "CNSA", True),
        KeyChoice(2, "China National Space Administration", True),
        KeyChoice(3, "NASA"),
        KeyChoice(4, "ESA"),
    ),
)


def test_ticking_exactly_the_right_options_earns_full_points():
    assert points_for(TWO_OF_FOUR, [2, 1]) == TWO


def test_ticking_one_of_two_right_options_earns_half():
    assert points_for(TWO_OF_FOUR, [1]) == Decimal("1.00")


def test_a_wrong_tick_costs_its_share_of_the_wrong_options():
    # 2/2 right - 1/2 wrong = 1/2
    assert points_for(TWO_OF_FOUR, [1, 2, 3]) == Decimal("1.00")


def test_ticking_every_option_earns_nothing():
    assert points_for(TWO_OF_FOUR, [1, 2, 3, 4]) == Decimal("0.00")


def test_ticking_nothing_earns_nothing():
    assert points_for(TWO_OF_FOUR, []) == Decimal("0.00")


def test_wrong_ticks_never_make_a_score_negative():
    assert points_for(TWO_OF_FOUR, [3, 4]) == Decimal("0.00")


def test_multiple_response_is_stored_sorted_without_repeats():
    assert clean_answer(TWO_OF_FOUR, [2, 1, 2]) == [1, 2]


@pytest.mark.parametrize("answer", [1, "1,2", [1, 5], [1, None], [[1]], {"1": 1}])
def test_multiple_response_accepts_only_a_list_of_its_ids(answer):
    with pytest.raises(InvalidAnswer, match="Tick the options"):
        clean_answer(TWO_OF_FOUR, answer)


def test_when_no_option_is_right_ticking_nothing_earns_full_points():
    none_right = AnswerKey(MULTIPLE, (KeyChoice(1, "a"), KeyChoice(2, "b")))
    assert points_for(none_right, []) == TWO
    assert points_for(none_right, [1]) == Decimal("1.00")


def test_when_every_option_is_right_ticking_all_earns_full_points():
    all_right = AnswerKey(MULTIPLE, (KeyChoice(1, "a", True), KeyChoice(2, "b", True)))
    assert points_for(all_right, [1, 2]) == TWO


# --- short text ------------------------------------------------------------------------


def short_text(*accepted: str, strict: bool = False) -> AnswerKey:
    choices = tuple(KeyChoice(i, text, True) for i, text in enumerate(accepted, 1))
    return AnswerKey(SHORT_TEXT, (*choices, KeyChoice(99, "a wrong answer")), strict_text=strict)


def test_short_text_ignores_case_spaces_and_punctuation():
    key = short_text("The Wolf Amendment")
    assert points_for(key, "  the  WOLF amendment! ") == TWO


def test_short_text_ignores_accents():
    assert points_for(short_text("Tiangong"), "Tiāngōng") == TWO
    assert points_for(short_text("Théâtre"), "THEATRE") == TWO


def test_short_text_accepts_any_of_the_teachers_answers():
    key = short_text("CNSA", "China National Space Administration")
    assert points_for(key, "cnsa") == TWO
    assert points_for(key, "china national space administration") == TWO
    assert points_for(key, "NASA") == Decimal("0.00")


def test_a_wrong_choice_of_a_short_text_question_is_not_accepted():
    assert points_for(short_text("Wolf"), "A wrong answer") == Decimal("0.00")


@pytest.mark.parametrize(
    "answer", ["Chang'e-5", "Chang'e 5", "Change 5", "change-5", "CHANG’E – 5", "Chang'e / 5"]
)
def test_apostrophes_vanish_but_dashes_separate_words(answer):
    assert points_for(short_text("Chang'e-5"), answer) == TWO


@pytest.mark.parametrize("answer", ["Change5", "chang e 5", "Chang'e-6"])
def test_a_missing_or_extra_space_is_a_different_answer(answer):
    assert points_for(short_text("Chang'e-5"), answer) == Decimal("0.00")


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Chang'e-5", "change 5"),
        ("U.S.A.", "usa"),
        ("well-known", "well known"),
        ("don’t", "dont"),
        ("C++", "c++"),
        ("  Straße  ", "strasse"),
        ("ﬁnal", "final"),
    ],
)
def test_normalise_text_follows_its_documented_rule(text, normal):
    assert normalise_text(text) == normal


def test_strict_text_keeps_case_punctuation_and_accents():
    key = short_text("Chang'e-5", strict=True)
    assert points_for(key, "Chang'e-5") == TWO
    for answer in ["chang'e-5", "Change-5", "Chang'e 5", "Chang'é-5"]:
        assert points_for(key, answer) == Decimal("0.00"), answer


def test_strict_text_still_ignores_surrounding_and_repeated_spaces():
    assert points_for(short_text("The Wolf Amendment", strict=True), " The  Wolf Amendment ") == TWO


def test_strict_text_treats_a_composed_and_a_decomposed_accent_alike():
    assert points_for(short_text("café", strict=True), "cafe\u0301") == TWO


# --- short text: leading articles and synonyms, when the question allows them -----------

US_FORMS = "U.S. = US = USA = United States = United States of America = America"


def lenient(*accepted: str, synonyms: str = "", strict: bool = False) -> AnswerKey:
    key = short_text(*accepted, strict=strict)
    return replace(key, ignore_articles=True, synonyms=parse_synonyms(synonyms))


@pytest.mark.parametrize(
    "answer",
    ["the State Department", "The state department", "a State Department", "An State Department"],
)
def test_a_leading_article_is_ignored_when_the_question_says_so(answer):
    assert points_for(lenient("State Department"), answer) == TWO
    assert points_for(short_text("State Department"), answer) == Decimal("0.00")


def test_an_accepted_answer_with_an_article_matches_one_without():
    assert points_for(lenient("the U.S."), "U.S.") == TWO
    assert points_for(lenient("a word game"), "Word game") == TWO


def test_only_a_leading_article_is_dropped():
    key = lenient("word game")
    assert points_for(key, "word the game") == Decimal("0.00")
    assert points_for(key, "the the word game") == Decimal("0.00")
    # "A" on its own is an answer, not an article before one.
    assert match_form(lenient("A"), "a") == "a"


@pytest.mark.parametrize(
    "answer",
    [
        "U.S.",
        "US",
        "usa",
        "U.S.A.",
        "United States",
        "the United States",
        "America",
        "The United States of America",
    ],
)
def test_listed_synonyms_count_as_the_same_answer(answer):
    assert points_for(lenient("the U.S.", synonyms=US_FORMS), answer) == TWO


def test_synonyms_match_as_whole_words_inside_an_answer():
    key = lenient("U.S. State Department", synonyms=US_FORMS)
    assert points_for(key, "United States State Department") == TWO
    assert points_for(key, "the USA state department") == TWO
    # "us" inside a word is not the U.S.
    assert match_form(key, "bonus") == "bonus"
    assert points_for(key, "Canada State Department") == Decimal("0.00")


def test_without_listed_synonyms_other_forms_are_other_answers():
    assert points_for(lenient("the U.S."), "United States") == Decimal("0.00")
    assert points_for(short_text("U.S."), "USA") == Decimal("0.00")


def test_synonym_groups_that_share_a_form_are_one_group():
    key = lenient("U.S.", synonyms="U.S. = USA\nUSA = America")
    assert points_for(key, "America") == TWO
    assert match_form(key, "America") == match_form(key, "U.S.") == "us"


def test_synonym_lists_are_read_line_by_line_and_ignore_single_forms():
    assert parse_synonyms(" U.S. = USA \n\nlonely\n= Dec = December =\n") == (
        ("U.S.", "USA"),
        ("Dec", "December"),
    )


def test_strict_text_keeps_synonyms_exact():
    key = lenient("USA", synonyms="USA = America", strict=True)
    assert points_for(key, "America") == TWO
    assert points_for(key, "america") == Decimal("0.00")


def test_match_form_is_what_the_admin_shows():
    key = lenient("the U.S.", synonyms=US_FORMS)
    assert match_form(key, "the U.S.") == "us"
    assert match_form(short_text("Chang'e-5"), "Chang'e-5") == "change 5"


@pytest.mark.parametrize("answer", ["", "   ", None, 5, ["Wolf"]])
def test_a_blank_short_answer_is_rejected(answer):
    with pytest.raises(InvalidAnswer, match="Write an answer first"):
        clean_answer(short_text("Wolf"), answer)


def test_a_short_answer_is_stored_trimmed_and_without_nul_characters():
    # PostgreSQL refuses NUL inside text and JSON.
    assert clean_answer(short_text("Wolf"), " Wo\x00lf \x00") == "Wolf"


def test_a_very_long_answer_is_rejected():
    with pytest.raises(InvalidAnswer, match="too long"):
        clean_answer(short_text("Wolf"), "w" * 10_001)


# --- numeric ---------------------------------------------------------------------------

GRAMS = AnswerKey(NUMERIC, value=Decimal("1731"), unit="g")
CONVERTIBLE_GRAMS = replace(GRAMS, unit_convertible=True)


@pytest.mark.parametrize("answer", ["1731", "1,731", "1731 g", " 1731g ", "1,731 G", "+1731.00"])
def test_the_same_amount_written_differently_earns_full_points(answer):
    assert points_for(GRAMS, answer) == TWO


def test_a_converted_unit_counts_only_when_the_key_allows_it():
    assert points_for(CONVERTIBLE_GRAMS, "1.731 kg") == TWO
    assert points_for(CONVERTIBLE_GRAMS, "1,731,000 mg") == TWO
    assert points_for(GRAMS, "1.731 kg") == Decimal("0.00")


def test_the_right_number_in_the_wrong_unit_earns_nothing():
    assert points_for(CONVERTIBLE_GRAMS, "1731 kg") == Decimal("0.00")
    assert points_for(CONVERTIBLE_GRAMS, "1.731 km") == Decimal("0.00")  # not a mass
    assert points_for(CONVERTIBLE_GRAMS, "1731 lb") == Decimal("0.00")  # unknown unit


def test_the_tolerance_boundary_counts_as_right():
    key = AnswerKey(NUMERIC, value=Decimal("100"), tolerance=Decimal("0.5"))
    assert points_for(key, "100.5") == TWO
    assert points_for(key, "99.5") == TWO
    assert points_for(key, "100.51") == Decimal("0.00")
    assert points_for(key, "99.49") == Decimal("0.00")


def test_the_tolerance_boundary_is_exact_after_converting():
    key = replace(CONVERTIBLE_GRAMS, tolerance=Decimal("0.5"))
    assert points_for(key, "1.7315 kg") == TWO
    assert points_for(key, "1.73150001 kg") == Decimal("0.00")
    # Converting through float rounded 1731.0000000000001 g to 1731 g.
    assert points_for(CONVERTIBLE_GRAMS, "1.7310000000000001 kg") == Decimal("0.00")


def test_negative_numbers_are_numbers():
    key = AnswerKey(NUMERIC, value=Decimal("-40"), unit="°C")
    assert points_for(key, "-40") == TWO
    assert points_for(key, "-40 °C") == TWO
    assert points_for(key, "\u221240°C") == TWO  # a typeset minus, pasted from the article
    assert points_for(key, "40") == Decimal("0.00")


@pytest.mark.parametrize(
    "answer", ["abc", "1,73,1", "", "   ", "1.2.3", "1,7310", "12,34", "1.", "--5", "5-6", "g 5"]
)
def test_a_malformed_number_is_rejected_with_a_clear_message(answer):
    with pytest.raises(InvalidAnswer, match="^Enter a number"):
        clean_answer(GRAMS, answer)


@pytest.mark.parametrize("answer", [1731, None, ["1731"]])
def test_a_numeric_answer_must_be_text(answer):
    with pytest.raises(InvalidAnswer, match="Enter a number"):
        clean_answer(GRAMS, answer)


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("1,731 g", Decimal("1731"), "g"),
        ("1731", Decimal("1731"), ""),
        ("-0.5", Decimal("-0.5"), ""),
        (".5 km", Decimal("0.5"), "km"),
        ("45 %", Decimal("45"), "%"),
        ("12 metric tons", Decimal("12"), "metric tons"),
    ],
)
def test_parse_number_splits_the_amount_from_its_unit(text, number, unit):
    assert parse_number(text) == (number, unit)


def test_a_numeric_answer_over_100_characters_is_rejected():
    with pytest.raises(InvalidAnswer, match="too long"):
        clean_answer(GRAMS, "1" * 101)


def test_a_huge_converted_amount_scores_instead_of_crashing():
    # An answer stored before the length limit; converting through float overflowed.
    assert score(CONVERTIBLE_GRAMS, "1" + "0" * 400 + " kg", TWO) == Decimal("0.00")


def test_a_numeric_key_without_a_value_gives_nothing():
    assert points_for(AnswerKey(NUMERIC), "1731") == Decimal("0.00")


# --- numeric: unit words, plurals, abbreviations, separators ---------------------------

YEARS = AnswerKey(NUMERIC, value=Decimal("5"), unit="years")
ROUNDS = AnswerKey(NUMERIC, value=Decimal("3"), unit="rounds")
KILOGRAMS = AnswerKey(
    NUMERIC, value=Decimal("1.7"), tolerance=Decimal("0.04"), unit="kg", unit_convertible=True
)


@pytest.mark.parametrize(
    "answer",
    [
        "1731 grams",
        "1,731 grams",
        "1731 gram",
        "1 731 g",
        "1\u202f731 g",
        "1731 gramme",
        "1731 Grams.",
        "1731g",
        "1,731 GRAMS",
    ],
)
def test_a_question_in_grams_takes_the_words_for_grams(answer):
    assert points_for(GRAMS, answer) == TWO


@pytest.mark.parametrize("answer", ["5 year", "5 years", "5 yr", "5 yrs.", "5 Years"])
def test_a_question_in_years_takes_year_yr_and_plurals(answer):
    assert points_for(YEARS, answer) == TWO


@pytest.mark.parametrize("answer", ["3 round", "3 rounds", "3 Rounds", "3"])
def test_any_unit_is_taken_in_the_singular_or_the_plural(answer):
    assert points_for(ROUNDS, answer) == TWO


@pytest.mark.parametrize(
    "answer", ["1.7 kilograms", "1.7 kg", "1.7 kilogram", "1.7 kilos", "1,731 grams", "1731 g"]
)
def test_kilograms_take_their_words_and_converted_grams(answer):
    assert points_for(KILOGRAMS, answer) == TWO


def test_converting_accepts_unit_words_too():
    assert points_for(CONVERTIBLE_GRAMS, "1.731 kilograms") == TWO
    assert points_for(CONVERTIBLE_GRAMS, "1,731,000 milligrams") == TWO
    assert points_for(GRAMS, "1.731 kilograms") == Decimal("0.00")  # not allowed to convert


@pytest.mark.parametrize(
    ("key", "answer"),
    [(ROUNDS, "3 rounds of talks"), (GRAMS, "1731 grams of rock"), (YEARS, "5 years of waiting")],
)
def test_what_follows_of_after_the_unit_does_not_matter(key, answer):
    assert points_for(key, answer) == TWO


def test_a_teachers_own_unit_words_are_accepted():
    key = replace(ROUNDS, unit_words=parse_unit_words("rnd, session"))
    assert points_for(key, "3 rnd") == TWO
    assert points_for(key, "3 sessions") == TWO
    assert points_for(key, "3 meetings") == Decimal("0.00")


def test_the_words_of_another_unit_still_earn_nothing():
    assert points_for(GRAMS, "1731 kilograms") == Decimal("0.00")
    assert points_for(YEARS, "5 months") == Decimal("0.00")
    assert points_for(ROUNDS, "3 papers") == Decimal("0.00")


@pytest.mark.parametrize("answer", ["about 1700", "five", "1.731.0", "12 34", "1,731 000 g", "g"])
def test_anything_else_gets_the_not_a_number_message(answer):
    with pytest.raises(InvalidAnswer, match="^Enter a number in digits"):
        clean_answer(GRAMS, answer)


def test_the_not_a_number_message_never_shows_the_answer():
    with pytest.raises(InvalidAnswer) as refused:
        clean_answer(GRAMS, "lots")
    assert "1731" not in str(refused.value) and "1,731" not in str(refused.value)


def test_accepted_units_list_what_a_teacher_should_know():
    assert accepted_units(CONVERTIBLE_GRAMS) == (
        ["g", "gram", "gramme", "gm", "克", "公克"],
        ["mg", "kg", "t"],
    )
    assert accepted_units(YEARS) == (["years", "yr", "year", "yrs", "年"], [])
    assert accepted_units(replace(ROUNDS, unit_words=("rnd",))) == (["rounds", "rnd"], [])
    assert accepted_units(AnswerKey(NUMERIC, value=Decimal(1))) == ([], [])


# --- ordering: 10, 20, 30, 40 is the right order --------------------------------------

EVENTS = AnswerKey(ORDERING, tuple(KeyChoice(i, f"event {i}") for i in (10, 20, 30, 40)))


def test_the_right_order_earns_full_points():
    assert points_for(EVENTS, [10, 20, 30, 40], THREE) == THREE


def test_the_reversed_order_earns_nothing():
    assert points_for(EVENTS, [40, 30, 20, 10], THREE) == Decimal("0.00")


def test_swapping_two_neighbours_of_four_earns_two_thirds():
    assert points_for(EVENTS, [10, 30, 20, 40], THREE) == Decimal("2.00")
    assert points_for(EVENTS, [20, 10, 30, 40], TWO) == Decimal("1.33")


def test_swapping_first_and_last_of_four_earns_one_third():
    assert points_for(EVENTS, [40, 20, 30, 10], THREE) == Decimal("1.00")


def test_a_single_item_ordering_is_always_right():
    assert points_for(AnswerKey(ORDERING, (KeyChoice(1, "only"),)), [1]) == TWO


@pytest.mark.parametrize(
    "answer",
    [
        [10, 20, 30],
        [10, 20, 30, 30],
        [10, 20, 30, 40, 40],
        [10, 20, 30, 50],
        ["a", 10, 20, 30],  # sorting a mix of types raised TypeError
        [None, 20, 30, 40],
        [10.0, 20, 30, 40],
        "10,20,30,40",
    ],
)
def test_an_ordering_must_place_every_item_exactly_once(answer):
    with pytest.raises(InvalidAnswer, match="Place every item exactly once"):
        clean_answer(EVENTS, answer)


# --- matching --------------------------------------------------------------------------

MOONS = AnswerKey(
    MATCHING,
    (
        KeyChoice(1, "Moon", match_text="Earth"),
        KeyChoice(2, "Phobos", match_text="Mars"),
        KeyChoice(3, "Titan", match_text="Saturn"),
        KeyChoice(4, "a distractor without a pair"),
    ),
)


def test_matching_every_pair_earns_full_points():
    assert points_for(MOONS, {"1": 1, "2": 2, "3": 3}, THREE) == THREE


def test_matching_earns_the_share_of_right_pairs():
    assert points_for(MOONS, {"1": 1, "2": 3, "3": 2}, THREE) == Decimal("1.00")
    assert points_for(MOONS, {"1": 1, "2": 2, "3": 1}, THREE) == Decimal("2.00")


def test_an_unmatched_item_counts_as_wrong():
    assert points_for(MOONS, {"1": 1}, THREE) == Decimal("1.00")


def test_a_right_item_is_judged_by_its_text():
    key = AnswerKey(
        MATCHING,
        (KeyChoice(1, "Io", match_text="Jupiter"), KeyChoice(2, "Europa", match_text="Jupiter")),
    )
    assert points_for(key, {"1": 2, "2": 1}) == TWO


def test_matching_is_stored_with_string_keys():
    assert clean_answer(MOONS, {1: 1, "02": 2}) == {"1": 1, "2": 2}


@pytest.mark.parametrize(
    "answer",
    [
        {"1": 4},  # the distractor carries no right item
        {"4": 1},  # nor is it a left item
        {"1": 9},
        {"9": 1},
        {"one": 1},
        {"1_0": 1},
        {" 1": 1},
        {1.0: 1},
        {float("inf"): 1},  # int(inf) raised OverflowError
        {"1": "1"},
        {"1": None},
        [1, 2, 3],
    ],
)
def test_matching_accepts_only_pairs_of_its_items(answer):
    with pytest.raises(InvalidAnswer, match="Match every item"):
        clean_answer(MOONS, answer)


def test_an_empty_matching_is_rejected():
    with pytest.raises(InvalidAnswer, match="Match at least one item"):
        clean_answer(MOONS, {})


# --- essay, kinds, rounding ------------------------------------------------------------


def test_an_essay_waits_for_a_teacher():
    essay = AnswerKey(ESSAY)
    assert points_for(essay, "Because the Wolf Amendment…") is None


def test_an_essay_needs_some_text():
    with pytest.raises(InvalidAnswer, match="Write an answer first"):
        clean_answer(AnswerKey(ESSAY), " \n ")


def test_an_unknown_kind_of_question_is_rejected():
    with pytest.raises(InvalidAnswer, match="Unknown kind"):
        clean_answer(AnswerKey("drawing"), "a cat")


def test_scores_have_two_decimal_places():
    for answer in ([1, 2], [1], []):
        assert points_for(TWO_OF_FOUR, answer, Decimal(2)).as_tuple().exponent == -2


def test_partial_credit_rounds_to_the_nearest_hundredth():
    assert points_for(TWO_OF_FOUR, [1], Decimal("1.01")) == Decimal("0.51")  # 0.505 rounds up
    assert points_for(TWO_OF_FOUR, [1], Decimal("0.01")) == Decimal("0.01")  # 0.005 rounds up
    assert points_for(EVENTS, [20, 10, 30, 40], Decimal("1.00")) == Decimal("0.67")
    assert points_for(EVENTS, [10, 20, 40, 30], Decimal("0.10")) == Decimal("0.07")


def test_rounding_half_up_is_exact_not_after_a_rounded_division():
    # 7 of 12 pairs on 1.62 points is exactly 0.945; dividing first gave 0.94.
    key = AnswerKey(MATCHING, tuple(KeyChoice(i, f"{i}", match_text=f"m{i}") for i in range(12)))
    answer = {str(i): i if i < 7 else (i + 1) % 12 for i in range(12)}
    assert points_for(key, answer, Decimal("1.62")) == Decimal("0.95")


def test_new_seed_fits_a_positive_integer_field():
    assert all(0 <= new_seed() < 2**31 for _ in range(100))


# --- properties ------------------------------------------------------------------------

AUTO_KINDS = [SINGLE, TRUE_FALSE, MULTIPLE, SHORT_TEXT, NUMERIC, ORDERING, MATCHING]
UNITS = ["", "g", "kg", "mg", "m", "km", "°C", "%"]
# Texts a teacher could store: no NUL (PostgreSQL refuses it), not blank.
key_texts = st.text(st.characters(exclude_characters="\x00"), min_size=1, max_size=30).filter(
    str.strip
)
points = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2)
amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=4)


@st.composite
def answer_keys(draw, kinds=AUTO_KINDS):
    kind = draw(st.sampled_from(kinds))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=6, unique=True))
    flags = draw(st.lists(st.booleans(), min_size=len(ids), max_size=len(ids)))
    if kind in (SINGLE, TRUE_FALSE, SHORT_TEXT):
        flags[draw(st.integers(0, len(ids) - 1))] = True  # at least one right answer
    matches = draw(
        st.lists(
            st.sampled_from(["", "Earth", "Mars", "Saturn", "mars"]),
            min_size=len(ids),
            max_size=len(ids),
        )
    )
    if kind == MATCHING and not any(matches):
        matches[0] = "Earth"
    choices = tuple(
        KeyChoice(i, draw(key_texts), flag, match)
        for i, flag, match in zip(ids, flags, matches, strict=True)
    )
    return AnswerKey(
        kind,
        choices,
        strict_text=draw(st.booleans()),
        value=draw(amounts),
        tolerance=draw(st.decimals(min_value=0, max_value=100, places=4)),
        unit=draw(st.sampled_from(UNITS)),
        unit_convertible=draw(st.booleans()),
    )


def full_marks_answer(key: AnswerKey):
    right = [c.id for c in key.choices if c.is_correct]
    if key.kind in (SINGLE, TRUE_FALSE):
        return right[0]
    if key.kind == MULTIPLE:
        return right
    if key.kind == SHORT_TEXT:
        return next(c.text for c in key.choices if c.is_correct)
    if key.kind == NUMERIC:
        return f"{key.value:,f} {key.unit}"
    if key.kind == ORDERING:
        return [c.id for c in key.choices]
    return {str(c.id): c.id for c in key.choices if c.match_text}


def plausible_answers(key: AnswerKey) -> st.SearchStrategy:
    """Answers of the right shape, most of them valid."""
    ids = [c.id for c in key.choices]
    if key.kind in (SINGLE, TRUE_FALSE):
        return st.sampled_from(ids)
    if key.kind == MULTIPLE:
        return st.lists(st.sampled_from(ids))
    if key.kind == SHORT_TEXT:
        return st.sampled_from([c.text for c in key.choices]) | st.text(min_size=1)
    if key.kind == NUMERIC:
        return st.builds(
            lambda amount, comma, unit: f"{amount:{',' if comma else ''}f} {unit}",
            amounts,
            st.booleans(),
            st.sampled_from([*UNITS, "t", "cm", "lb"]),
        )
    if key.kind == ORDERING:
        return st.permutations(ids)
    return st.dictionaries(st.sampled_from([str(i) for i in ids]), st.sampled_from(ids))


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
json_like = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text() | st.integers() | st.booleans(), inner, max_size=5)
    ),
    max_leaves=10,
)


def tampered_answers(key: AnswerKey) -> st.SearchStrategy:
    """The key's ids mixed with junk: near misses that random JSON rarely hits."""
    ids = st.sampled_from([c.id for c in key.choices])
    near = ids | scalars
    keys = ids.map(str) | ids | st.none() | st.booleans() | st.text() | st.integers()
    return st.lists(near, max_size=7) | st.dictionaries(keys, near, max_size=7)


@fast
@given(st.data(), answer_keys(), points)
def test_a_score_is_between_nothing_and_the_points(data, key, points):
    try:
        answer = clean_answer(key, data.draw(plausible_answers(key)))
    except InvalidAnswer:
        assume(False)
    assert Decimal(0) <= score(key, answer, points) <= points


@fast
@given(answer_keys(), points)
def test_a_full_marks_answer_earns_full_marks(key, points):
    assume(key.kind != MATCHING or any(c.match_text for c in key.choices))
    assert points_for(key, full_marks_answer(key), points) == points


@fast
@given(st.data(), answer_keys([k for k in AUTO_KINDS if k != ORDERING]), points)
def test_reordering_the_choices_of_a_key_never_changes_a_score(data, key, points):
    shuffled = replace(key, choices=tuple(data.draw(st.permutations(key.choices))))
    raw = data.draw(plausible_answers(key))
    try:
        answer = clean_answer(key, raw)
    except InvalidAnswer:
        with pytest.raises(InvalidAnswer):
            clean_answer(shuffled, raw)
        return
    assert clean_answer(shuffled, raw) == answer
    assert score(shuffled, answer, points) == score(key, answer, points)


@pytest.mark.parametrize("kind", [*AUTO_KINDS, ESSAY])
@settings(fast, max_examples=100)
@given(data=st.data(), points=points)
def test_cleaning_any_json_gives_a_clean_answer_or_invalid_answer(kind, data, points):
    key = data.draw(answer_keys([kind]))
    raw = data.draw(json_like | plausible_answers(key) | tampered_answers(key))
    try:
        answer = clean_answer(key, raw)
    except InvalidAnswer as invalid:
        assert str(invalid)  # always a message for the student
        return
    assert clean_answer(key, answer) == answer  # idempotent
    result = score(key, answer, points)  # never raises
    assert result is None if key.kind == ESSAY else Decimal(0) <= result <= points


@fast
@given(st.integers(2, 12), st.data(), points)
def test_partial_credit_is_the_exact_share_rounded_half_up(pairs, data, points):
    right = data.draw(st.integers(0, pairs))
    key = AnswerKey(MATCHING, tuple(KeyChoice(i, f"{i}", match_text=f"m{i}") for i in range(pairs)))
    answer = {str(i): i if i < right else (i + 1) % pairs for i in range(pairs)}
    exact_cents = Fraction(right, pairs) * Fraction(points) * 100
    half_up = Decimal(int(exact_cents + Fraction(1, 2))) / 100  # int() floors: it is positive
    assert points_for(key, answer, points) == half_up


@fast
@given(st.text(), st.booleans())
def test_normalising_text_twice_changes_nothing(text, strict):
    once = normalise_text(text, strict)
    assert normalise_text(once, strict) == once


@fast
@given(
    st.lists(st.text(string.ascii_letters + string.digits, min_size=1), min_size=1, max_size=5),
    st.data(),
)
def test_case_spacing_and_trailing_punctuation_never_matter(words, data):
    spaces = [data.draw(st.sampled_from([" ", "  ", "\t", " \n "])) for _ in words]
    messy = "".join(space + word.swapcase() for space, word in zip(spaces, words, strict=True))
    messy += data.draw(st.sampled_from(["", "!", ".", "?!", " ..."])) + " "
    assert normalise_text(messy) == normalise_text(" ".join(words))


@fast
@given(amounts, st.booleans())
def test_an_amount_reads_back_with_or_without_thousands_commas(amount, comma):
    assert parse_number(f"{amount:{',' if comma else ''}f}") == (amount, "")


@fast
@given(st.lists(st.integers(1, 1000), min_size=2, max_size=8, unique=True), points)
def test_reversing_an_ordering_earns_nothing_and_a_neighbour_swap_loses_one_step(ids, points):
    key = AnswerKey(ORDERING, tuple(KeyChoice(i, str(i)) for i in ids))
    assert points_for(key, ids[::-1], points) == Decimal("0.00")
    swapped = [ids[1], ids[0], *ids[2:]]
    expected = Fraction(len(ids) - 2, len(ids) - 1) * Fraction(points)
    assert abs(Fraction(points_for(key, swapped, points)) - expected) <= Fraction(1, 200)


@fast
@given(st.lists(st.booleans(), min_size=2, max_size=8), points)
def test_ticking_every_option_earns_nothing_when_one_is_wrong(flags, points):
    assume(not all(flags))
    key = AnswerKey(MULTIPLE, tuple(KeyChoice(i, str(i), flag) for i, flag in enumerate(flags)))
    assert points_for(key, list(range(len(flags))), points) == Decimal("0.00")


# Every way a student may write an amount in grams, and the words for a unit.
separators = st.sampled_from(["", ",", " ", "\u00a0", "\u202f"])


def grouped(amount: Decimal, separator: str) -> str:
    return f"{amount:,f}".replace(",", separator) if separator else f"{amount:f}"


@fast
@given(
    st.decimals(min_value=0, max_value=10**9, places=3),
    separators,
    st.sampled_from(["g", "gram", "grams", "gramme", "grammes", "gm"]),
    st.sampled_from(["", " "]),
    st.sampled_from([str.lower, str.upper, str.title]),
)
def test_any_amount_in_any_word_for_its_unit_earns_full_marks(amount, sep, word, space, case):
    key = AnswerKey(NUMERIC, value=amount, unit="g")
    assert points_for(key, f"{grouped(amount, sep)}{space}{case(word)}") == TWO


@fast
@given(
    st.decimals(min_value=0, max_value=10**6, places=3),
    st.sampled_from(["kg", "kilogram", "kilograms", "kilogramme", "kilos"]),
)
def test_any_amount_in_kilogram_words_converts_to_grams(amount, word):
    key = AnswerKey(NUMERIC, value=amount * 1000, unit="g", unit_convertible=True)
    assert points_for(key, f"{amount:f} {word}") == TWO


@fast
@given(st.text(string.ascii_letters, min_size=3, max_size=12), st.booleans())
def test_any_unit_word_is_taken_in_the_singular_and_the_plural(word, plural_key):
    # A word ending in s, u or i has no plural made by adding "s" ("status", "bus", "axis"
    # keep their s); the words of the units the engine knows follow their own table.
    assume(not word.casefold().endswith(("s", "u", "i")))
    assume(word.casefold() not in {w for words in UNIT_WORDS.values() for w in words})
    key = AnswerKey(NUMERIC, value=Decimal(3), unit=word + "s" if plural_key else word)
    assert points_for(key, f"3 {word}") == TWO
    assert points_for(key, f"3 {word}s") == TWO


@fast
@given(st.text(st.characters(exclude_categories=["Nd", "Cs"]), max_size=30))
def test_text_without_digits_is_never_a_number(text):
    with pytest.raises(InvalidAnswer, match="^Enter a number"):
        clean_answer(GRAMS, text)


@fast
@given(
    st.lists(st.text(string.ascii_letters, min_size=2, max_size=8), min_size=1, max_size=4),
    st.sampled_from(["the", "The", "a", "A", "an", "AN"]),
)
def test_with_articles_ignored_any_leading_article_matches(words, article):
    answer = " ".join(words)
    assume(answer.split()[0].casefold() not in ("the", "a", "an"))
    assert points_for(lenient(answer), f"{article} {answer}") == TWO


@fast
@given(
    st.lists(st.text(string.ascii_lowercase, min_size=2, max_size=8), min_size=0, max_size=3),
    st.sampled_from(["U.S.", "US", "USA", "United States", "America"]),
    st.sampled_from(["U.S.", "US", "USA", "United States", "America"]),
)
def test_any_listed_synonym_may_replace_another_inside_an_answer(words, used, written):
    assume(not {"us", "usa", "united", "states", "america"} & set(words))
    key = lenient(" ".join([used, *words]), synonyms=US_FORMS)
    assert points_for(key, " ".join([written, *words])) == TWO


# --- numeric: Chinese units and full-width digits -----------------------------------------


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        (GRAMS, "1731克"),
        (GRAMS, "1,731 克"),
        (GRAMS, "１７３１克"),  # full-width digits, as a Chinese keyboard types them
        (GRAMS, "１，７３１ g"),
        (KILOGRAMS, "1.7千克"),
        (KILOGRAMS, "1.7公斤"),
        (KILOGRAMS, "1731克"),  # converted, as the key allows
        (YEARS, "5年"),
        (YEARS, "５ 年"),
    ],
)
def test_chinese_units_and_full_width_digits_count_like_english_ones(key, answer):
    assert points_for(key, answer) == TWO


def test_a_chinese_unit_of_another_kind_still_earns_nothing():
    assert points_for(GRAMS, "1731千米") == Decimal("0.00")
    assert points_for(YEARS, "5天") == Decimal("0.00")
