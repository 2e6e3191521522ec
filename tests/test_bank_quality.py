"""The question-bank check (quizzes/bank_quality.py): each rule passes a clean quiz and
fails a quiz cued on purpose; every shipped quiz passes; teachers run it with
`manage.py check_bank` and see it on the quiz's admin page."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.factories import UserFactory
from lessons.factories import SectionFactory
from quizzes import bank_quality
from quizzes.bank_quality import BankQuestion, problems
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Quiz
from quizzes.scoring import (
    AnswerKey,
    KeyChoice,
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

WOLF = (
    "In 2011 the U.S. Congress passed the Wolf Amendment. It banned joint China-U.S. research "
    "connected with NASA, unless the FBI and Congress gave explicit authorisation."
)
DIALOGUE = (
    "In 2015 the U.S. proposed a civil aerospace dialogue led by the State Department. China "
    "responded positively, and three rounds of talks have been held since then."
)
PAPERS = (
    "The volcanic history of the landing area appeared in October 2021 as three papers in Nature."
)


def question(
    number, kind, prompt, choices=(), level="recall", explanation="", passages=(WOLF,), **key
):
    """A question as the check sees it; `choices` are (text, right) or (left, right item)."""
    made = []
    for i, choice in enumerate(choices, 1):
        text, second = choice
        if kind == MATCHING:
            made.append(KeyChoice(i, text, False, second))
        else:
            made.append(KeyChoice(i, text, bool(second)))
    return BankQuestion(
        key=f"q{number}",
        number=number,
        level=level,
        prompt=prompt,
        explanation=explanation or "See the lesson.",
        answer=AnswerKey(kind, tuple(made), **key),
        passages=tuple(passages),
    )


def year_question(number=1, explanation="The amendment is from 2011."):
    return question(
        number,
        SINGLE,
        "In which year did Congress pass the Wolf Amendment?",
        [("2011", True), ("2006", False), ("2015", False), ("2020", False)],
        explanation=explanation,
    )


def rules(found) -> list[str]:
    return [p.rule for p in found]


# --- a clean quiz passes ---------------------------------------------------------------


def clean_quiz():
    return [
        year_question(1),
        question(
            2,
            MULTIPLE,
            "Whose explicit authorisation lets joint research linked to NASA go ahead?",
            [("The FBI", True), ("Congress", True), ("NASA", False), ("OSTP", False)],
            explanation="Both must authorise it.",
        ),
        question(
            3,
            NUMERIC,
            "How many rounds of talks on the civil aerospace dialogue have been held?",
            value=Decimal(3),
            unit="rounds",
            passages=(DIALOGUE,),
            explanation="Count them in the section.",
        ),
        question(
            4,
            TRUE_FALSE,
            "True or false: China responded positively to the civil aerospace dialogue.",
            [("True", True), ("False", False)],
            passages=(DIALOGUE,),
        ),
        question(
            5,
            TRUE_FALSE,
            "True or false: China proposed the civil aerospace dialogue in 2015.",
            [("True", False), ("False", True)],
            passages=(DIALOGUE,),
        ),
        question(
            6,
            MATCHING,
            "Match each body to what it did.",
            [("Congress", "Passed the Wolf Amendment"), ("State Department", "Led the dialogue")],
            passages=(WOLF, DIALOGUE),
        ),
        question(
            7,
            ESSAY,
            "Why does the article call the amendment an obstacle, and whose claim is that?",
            level="analysis",
        ),
    ]


def test_a_clean_quiz_has_no_problems():
    assert problems(clean_quiz()) == []


# --- length cues -----------------------------------------------------------------------


def singles(rights_longest: int, total: int = 4):
    made = []
    for n in range(1, total + 1):
        right = "A right option a bit longer" if n <= rights_longest else "Right option"
        made.append(
            question(
                n,
                SINGLE,
                f"Which statement about the Wolf Amendment, number {n}, is right?",
                [(right, True), ("A wrong option here", False), ("Another wrong one", False)],
                level="inference",
            )
        )
    return made


def test_the_right_option_longest_in_too_many_single_choice_questions_fails():
    # 2 of 4 is 50 %, over the 30 % allowed; 1 of 4 (25 %) passes.
    assert "length-cue" in rules(problems(singles(2)))
    assert "length-cue" not in rules(problems(singles(1)))


def test_an_option_much_longer_than_the_others_fails():
    cued = question(
        1,
        SINGLE,
        "What did the Wolf Amendment ban?",
        [
            ("Joint China-U.S. research connected with NASA without explicit authorisation", True),
            ("Trade", False),
            ("Tourism", False),
            ("Sport", False),
        ],
    )
    found = problems([cued])
    assert "long-option" in rules(found)
    assert "Joint China-U.S. research" in found[rules(found).index("long-option")].message


def test_short_options_of_different_lengths_are_no_cue():
    names = question(
        1,
        MULTIPLE,
        "Whose explicit authorisation lets joint research linked to NASA go ahead?",
        [("The FBI", True), ("Congress", True), ("NASA", False), ("OSTP", False)],
    )
    assert "long-option" not in rules(problems([names]))


# --- answers given away ----------------------------------------------------------------


def test_an_explanation_that_answers_another_question_fails():
    gap = question(
        2,
        NUMERIC,
        "How many years passed between the working group and the Wolf Amendment?",
        value=Decimal(5),
        unit="years",
        level="inference",
        explanation="The working group dates from 2006 and the amendment was passed in 2011.",
    )
    found = problems([year_question(1), gap])
    assert "gives-answer" in rules(found)
    assert "gives the answer of question 1" in " ".join(p.message for p in found)


def test_a_number_given_with_its_unit_answers_a_numeric_question():
    year = year_question(
        1, explanation="It was passed in 2011, five years after the working group."
    )
    gap = question(
        2,
        NUMERIC,
        "How many years passed between the working group and the Wolf Amendment?",
        value=Decimal(5),
        unit="years",
        level="inference",
    )
    found = [p.message for p in problems([year, gap])]
    assert any("gives the answer of question 2 (“5 years”)" in m for m in found)


def test_the_same_number_counting_something_else_is_no_answer():
    rounds = question(
        1,
        NUMERIC,
        "How many rounds of talks on the civil aerospace dialogue have been held?",
        value=Decimal(3),
        unit="rounds",
        passages=(DIALOGUE,),
    )
    papers = question(
        2,
        SINGLE,
        "In what form did the volcanic history appear?",
        [("In Nature", True), ("In a book", False), ("On television", False)],
        explanation="It appeared as three papers in Nature.",
        passages=(PAPERS,),
    )
    assert "gives-answer" not in rules(problems([rounds, papers]))


def test_a_year_in_a_list_of_dates_answers_nothing():
    timeline = question(
        2,
        ORDERING,
        "Put these in order.",
        [("A working group", False), ("A dialogue", False)],
        explanation="The dates run 2006, 2011, 2015 and 2020.",
    )
    assert "gives-answer" not in rules(problems([year_question(1), timeline]))


def test_a_prompt_that_answers_another_question_fails():
    text = question(
        2,
        SHORT_TEXT,
        "The 2011 Wolf Amendment was passed by which body?",
        [("Congress", True)],
    )
    assert "gives-answer" in rules(problems([year_question(1), text]))


def test_a_short_answer_in_another_questions_right_option_fails():
    who = question(
        1,
        SHORT_TEXT,
        "Which department was to lead the civil aerospace dialogue?",
        [("State Department", True)],
        passages=(DIALOGUE,),
    )
    year = question(
        2,
        SINGLE,
        "What was proposed in 2015?",
        [
            ("A civil aerospace dialogue led by the State Department", True),
            ("A joint Moon mission led by NASA", False),
            ("A new clause in a spending bill", False),
        ],
        passages=(DIALOGUE,),
    )
    assert "gives-answer" in rules(problems([who, year]))


# --- evidence --------------------------------------------------------------------------


def test_a_matching_pair_missing_from_the_cited_sections_fails():
    pairs = [("Congress", "Passed the Wolf Amendment"), ("State Department", "Led the dialogue")]
    only_wolf = question(1, MATCHING, "Match each body to what it did.", pairs, passages=(WOLF,))
    found = problems([only_wolf])
    assert "evidence" in rules(found)
    assert "State Department → Led the dialogue" in " ".join(p.message for p in found)
    also_dialogue = question(1, MATCHING, "Match.", pairs, passages=(WOLF, DIALOGUE))
    assert "evidence" not in rules(problems([also_dialogue]))


def test_an_ordering_item_missing_from_the_cited_sections_fails():
    items = [("Congress passes the Wolf Amendment", False), ("Chang'e-5 is launched", False)]
    found = problems([question(1, ORDERING, "Put these in order.", items)])
    assert "evidence" in rules(found)


# --- levels ----------------------------------------------------------------------------


def test_recall_whose_answer_no_cited_section_states_fails():
    inferred = question(
        1,
        NUMERIC,
        "How many years passed between the working group and the Wolf Amendment?",
        value=Decimal(5),
        unit="years",
        level="recall",
    )
    assert "level" in rules(problems([inferred]))
    assert "level" not in rules(problems([replace(inferred, level="inference")]))


def test_inference_whose_answer_a_cited_section_states_fails():
    found = problems([replace(year_question(1), level="inference")])
    assert [p.message for p in found if p.rule == "level"] == [
        "Question 1 is labelled inference, but a cited section states its answer in so many "
        "words: it is recall."
    ]


def test_analysis_that_asks_nothing_about_the_argument_fails():
    plain = question(
        1,
        SINGLE,
        "Which of these happened after the Wolf Amendment was passed?",
        [("Contact nearly stopped", True), ("Contact doubled", False), ("Nothing", False)],
        level="analysis",
    )
    assert "level" in rules(problems([plain]))
    asks_why = question(
        1,
        SINGLE,
        "Why does the article report what happened after the Wolf Amendment?",
        [("To show its effect", True), ("To praise it", False), ("To date it", False)],
        level="analysis",
    )
    assert "level" not in rules(problems([asks_why]))


def test_an_essay_is_never_recall():
    essay = question(1, ESSAY, "Why does the article call it an obstacle?", level="recall")
    assert "level" in rules(problems([essay]))


# --- true/false balance ----------------------------------------------------------------


def true_false(number, key):
    right = [("True", key), ("False", not key)]
    return question(
        number,
        TRUE_FALSE,
        f"True or false: statement {number}.",
        right,
        level="inference",
        passages=(),
    )


def test_true_false_keys_all_one_way_fail():
    found = problems(
        [true_false(1, False), true_false(2, False), true_false(3, True), true_false(4, False)]
    )
    assert "true-false" in rules(found)
    assert "always answering “False” beats chance" in found[0].message


def test_true_false_keys_within_one_of_each_other_pass():
    assert problems([true_false(1, False), true_false(2, True), true_false(3, False)]) == []


# --- the shipped bank, the command and the admin ---------------------------------------


@pytest.fixture
def shipped(db):
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    return list(Quiz.objects.all())


def test_every_shipped_quiz_passes_the_check(shipped):
    found = {quiz.slug: [str(p) for p in bank_quality.quiz_problems(quiz)] for quiz in shipped}
    assert found == {quiz.slug: [] for quiz in shipped}


def test_the_command_passes_the_shipped_quizzes(shipped, capsys):
    call_command("check_bank")
    out = capsys.readouterr().out
    assert out.count("no problems") == len(shipped)


@pytest.fixture
def cued_quiz(db):
    """One single-choice question whose right option is the longest by far."""
    quiz = QuizFactory(slug="cued")
    QuestionFactory(
        quiz=quiz,
        prompt="Which body passed the Wolf Amendment in the year 2011?",
        evidence=SectionFactory(lesson=quiz.lesson, body=WOLF),
        choices=[
            ("The U.S. Congress, the lawmaking body of the United States", True),
            ("NASA", False),
            ("OSTP", False),
        ],
    )
    return quiz


def test_the_command_fails_on_a_cued_quiz_and_says_why(cued_quiz, capsys):
    with pytest.raises(CommandError, match="1 quiz"):
        call_command("check_bank", "cued")
    out = capsys.readouterr().out
    assert "[length-cue]" in out and "[long-option]" in out


def test_the_command_refuses_an_unknown_slug(db):
    with pytest.raises(CommandError, match="No quiz with the slug nowhere"):
        call_command("check_bank", "nowhere")


@pytest.fixture
def admin_client_logged_in(db, client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_quiz_admin_page_lists_the_problems(admin_client_logged_in, cued_quiz):
    page = admin_client_logged_in.get(reverse("admin:quizzes_quiz_change", args=[cued_quiz.pk]))
    assert "problems found" in page.text
    assert "strictly the longest in 1 of 1 single-choice questions" in page.text


def test_the_quiz_admin_page_says_when_there_is_no_problem(admin_client_logged_in, shipped):
    quiz = Quiz.objects.get(slug="china-us-space-practice")
    page = admin_client_logged_in.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    assert "No problems found" in page.text
