"""Bringing questions in (GIFT, Aiken, Moodle XML) and taking them out.

The GIFT and Aiken texts below follow the syntax of Moodle's documentation of those
formats (the syntax is the format's; the questions' wording is ours)."""
# Files in the formats are written as they are, whatever their lines' length.
# ruff: noqa: E501

import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.factories import TeacherFactory
from lessons.factories import LessonFactory, SectionFactory
from quizzes import kinds
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.interchange import report
from quizzes.models import Question, Quiz

pytestmark = pytest.mark.django_db

GIFT_EXAMPLES = r"""// Comment lines start with two slashes and are ignored.
$CATEGORY: space/missions

::Which agency::Which agency runs China's lunar programme?{~NASA ~ESA =CNSA}

::Landing year::Chang'e 4 landed on the far side of the Moon in {~2017 =2019 ~2021}.

::Thanksgiving-style layout::The Wolf Amendment was passed by {
    ~the State Department
    =Congress
    ~NASA
} in 2011.

::Agencies::Which two bodies are named in the article? {
   ~%-100%ESA
   ~%50%NASA
   ~%50%CNSA
   ~%-100%JAXA
}

::Feedback::What lies between orange and green in the spectrum?
{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }

::TF1::Chang'e 5 brought samples back to Earth.{T}

::TF2::The Wolf Amendment was passed in 1999.{FALSE#It was passed in 2011.#Right: 2011.}

::Short::Which agency is China's?{=CNSA =China National Space Administration}

::Fill::Chang'e 4 landed on the {=far =far side} side of the Moon.

::Match::Match each mission with its year. {
    =Chang'e 4 -> 2019
    =Chang'e 5 -> 2020
    =Wolf Amendment -> 2011
}

::Num1::In which year was the Wolf Amendment passed?{#2011:1}

::Num2::Give a year in which Chang'e 4 worked on the Moon.{#2019..2025}

::Num3::How many grams did Chang'e 5 bring back?{#
    =1731:0    # Right.
    =%50%1731:50  # Close: half marks.
}

::Essay::Why does the article say the agencies keep talking?{}

[markdown]A text with **no** answers: a description.

::Escapes::Which of these is \{not\} a GIFT control character\: \~ \= \# or \\? {
   ~ \~ # \~ is one.
   ~ \= # \= is one.
   = \\ # Right: a backslash only escapes the others.
####The four are \~ \= \# \{ \}.}

::HTML::[html]<p>Which <b>agency</b> is <script>alert(1)</script>China's?</p>{=CNSA ~NASA ####<p>It is <strong>CNSA</strong>.</p>}
"""


@pytest.fixture
def teacher():
    return TeacherFactory(username="teacher")


@pytest.fixture
def target(teacher):
    lesson = LessonFactory()
    SectionFactory(lesson=lesson, position=2, heading="Second section")
    SectionFactory(lesson=lesson, position=1, heading="First section")
    return QuizFactory(lesson=lesson, owners=[teacher], title="Imported")


def by_title(quiz, title) -> Question:
    return quiz.questions.get(key=title.lower().replace(" ", "-").replace("'", ""))


def choices(question):
    return [(c.text, c.is_correct, c.match_text) for c in question.choices.all()]


def test_the_gift_documentation_examples_become_questions_field_by_field(target, teacher):
    done = report.apply(GIFT_EXAMPLES, target, teacher)

    assert done.applied and done.problems == []
    assert done.format == "gift"
    questions = {q.key: q for q in target.questions.all()}
    assert len(questions) == 16  # the description is left out
    assert [row.skipped for row in done.skipped] == ["A description: text only."]

    q = questions["which-agency"]
    assert q.kind_rules is kinds.for_shape(report.gift.read("Q{=a ~b}").drafts[0].shape)
    assert q.prompt == "Which agency runs China's lunar programme?"
    assert choices(q) == [("NASA", False, ""), ("ESA", False, ""), ("CNSA", True, "")]
    assert q.points == 1 and q.evidence.heading == "First section"
    assert q.explanation == ""

    gap = questions["landing-year"]
    assert gap.kind_rules.label == "Fill in the blanks"
    assert gap.prompt == "Chang'e 4 landed on the far side of the Moon in [[1]]."
    assert choices(gap) == [("2019 ~ 2017 ~ 2021", True, "")]

    layout = questions["thanksgiving-style-layout"]
    assert layout.prompt == "The Wolf Amendment was passed by [[1]] in 2011."
    assert choices(layout) == [("Congress ~ the State Department ~ NASA", True, "")]

    several = questions["agencies"]
    assert several.kind_rules.label == "Multiple response"
    assert choices(several) == [
        ("ESA", False, ""),
        ("NASA", True, ""),
        ("CNSA", True, ""),
        ("JAXA", False, ""),
    ]
    row = next(r for r in done.created if r.prompt.startswith("Which two bodies"))
    assert "Weights -100% / -100% of the wrong choices become -50% each." in row.changes

    feedback = next(r for r in done.created if r.prompt.startswith("What lies between"))
    assert any("“yellow”, “red”, “blue”" in change for change in feedback.changes)

    assert choices(questions["tf1"]) == [("True", True, ""), ("False", False, "")]
    assert choices(questions["tf2"]) == [("True", False, ""), ("False", True, "")]
    assert questions["tf2"].kind_rules.label == "True / false"

    short = questions["short"]
    assert short.kind_rules.label == "Short text"
    assert choices(short) == [("CNSA", True, ""), ("China National Space Administration", True, "")]

    fill = questions["fill"]
    assert fill.prompt == "Chang'e 4 landed on the [[1]] side of the Moon."
    assert choices(fill) == [("far | far side", True, "")]

    match = questions["match"]
    assert match.kind_rules.label == "Matching"
    assert choices(match) == [
        ("Chang'e 4", False, "2019"),
        ("Chang'e 5", False, "2020"),
        ("Wolf Amendment", False, "2011"),
    ]

    assert (questions["num1"].numeric_answer, questions["num1"].tolerance) == (2011, 1)
    assert (questions["num2"].numeric_answer, questions["num2"].tolerance) == (2022, 3)
    assert (questions["num3"].numeric_answer, questions["num3"].tolerance) == (1731, 0)
    num3 = next(r for r in done.created if r.prompt.startswith("How many grams"))
    assert any("1731 ± 50 (worth 50%) is dropped" in change for change in num3.changes)

    essay = questions["essay"]
    assert essay.kind_rules.label == "Essay" and essay.choices.count() == 0

    escapes = questions["escapes"]
    assert escapes.prompt == "Which of these is {not} a GIFT control character: ~ = # or \\?"
    assert choices(escapes) == [("~", False, ""), ("=", False, ""), ("\\", True, "")]
    assert escapes.explanation == "The four are ~ = # { }."

    html = questions["html"]
    assert html.prompt == "Which agency is China's?"
    assert html.explanation == "It is **CNSA**."
    html_row = next(
        r for r in done.created if r.prompt == html.prompt and r.kind == "Single choice"
    )
    assert "HTML removed: <script>." in html_row.changes
    assert "HTML becomes plain text." in html_row.changes


def test_the_report_names_each_question_its_kind_points_and_key_in_words(target, teacher):
    planned = report.plan(GIFT_EXAMPLES, target, teacher)

    assert target.questions.count() == 0  # a dry run writes nothing
    first = planned.created[0]
    assert (first.line, first.kind, first.points, first.key) == (
        4,
        "Single choice",
        Decimal("1.00"),
        "CNSA",
    )
    num = next(r for r in planned.created if r.prompt.startswith("In which year"))
    assert num.key == "2011 (± 1)"
    assert any("first section, “First section”" in note for note in planned.notes)
    assert any("$CATEGORY" in note for note in planned.notes)
    assert "GIFT gives no points: each question is worth 1." in planned.notes


def test_aiken_documentation_examples_become_single_choice_questions(target, teacher):
    text = (
        "Which agency runs China's lunar programme?\n"
        "A. NASA\nB. ESA\nC. CNSA\nD. JAXA\nANSWER: C\n\n"
        "In which year was the Wolf Amendment passed?\n"
        "A) 2011\nB) 2019\nANSWER: A\n"
    )
    done = report.apply(text, target, teacher)

    assert done.format == "aiken" and done.applied
    first, second = target.questions.all()
    assert first.kind_rules.label == "Single choice"
    assert first.prompt == "Which agency runs China's lunar programme?"
    assert choices(first) == [
        ("NASA", False, ""),
        ("ESA", False, ""),
        ("CNSA", True, ""),
        ("JAXA", False, ""),
    ]
    assert choices(second) == [("2011", True, ""), ("2019", False, "")]
    assert (first.position, second.position) == (1, 2)


def test_a_malformed_gift_file_gives_line_numbered_errors_and_creates_nothing(target, teacher):
    text = (
        "::Good::Which agency is China's?{=CNSA ~NASA}\n"
        "\n"
        "// a comment\n"
        "::Unclosed::Which year?\n"
        "{=2011 ~2019\n"
        "\n"
        "Which number?{#twenty}\n"
        "\n"
        "Pairs {=a -> b ~c}\n"
        "\n"
        "No right answer{~a ~b}\n"
    )
    done = report.apply(text, target, teacher)

    assert not done.applied
    assert [(p.line, p.reason) for p in done.problems] == [
        (5, "The answers opened with { are never closed with }."),
        (7, "“twenty” is not a number."),
        (9, "Write every pair as =item -> match, with no ~ answers among them."),
        # With no answer marked =, GIFT's answers are ones a student may tick several of.
        (11, "Mark at least one choice correct and leave at least one wrong."),
    ]
    assert target.questions.count() == 0


def test_a_malformed_aiken_file_gives_line_numbered_errors(target, teacher):
    text = "Which?\nA. one\nB. two\nANSWER: E\n\nWhich again?\nA. one\nB. two\nC) three\n"
    done = report.apply(text, target, teacher, "aiken")

    assert [(p.line, p.reason) for p in done.problems] == [
        (4, "ANSWER: E names no option; the options are A, B."),
        (6, "The last question has no ANSWER: line."),
    ]
    assert target.questions.count() == 0


def test_moodle_xml_is_read_with_its_points_units_and_cloze_gaps(target, teacher):
    text = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/Space</text></category></question>
  <question type="multichoice">
    <name><text>Agencies</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which are <em>space</em> agencies?</p>]]></text></questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>Both <b>are</b>.</p>]]></text></generalfeedback>
    <defaultgrade>2.5000000</defaultgrade>
    <single>false</single>
    <shuffleanswers>0</shuffleanswers>
    <answer fraction="50"><text>NASA</text></answer>
    <answer fraction="50"><text>CNSA</text></answer>
    <answer fraction="-100"><text>FIFA</text></answer>
  </question>
  <question type="numerical">
    <name><text>Sample</text></name>
    <questiontext format="plain_text"><text>How much did Chang'e 5 bring back?</text></questiontext>
    <defaultgrade>1.005</defaultgrade>
    <answer fraction="100"><text>1731</text><tolerance>5</tolerance></answer>
    <units><unit><multiplier>1</multiplier><unit_name>g</unit_name></unit></units>
  </question>
  <question type="cloze">
    <name><text>Cloze</text></name>
    <questiontext format="plain_text"><text>Chang'e 4 landed on the {1:MULTICHOICE:=far~near} side in {1:SHORTANSWER:=2019~=January 2019}.</text></questiontext>
  </question>
  <question type="calculated">
    <name><text>Formula</text></name>
    <questiontext format="plain_text"><text>What is {a} + {b}?</text></questiontext>
  </question>
</quiz>
"""
    done = report.apply(text, target, teacher)

    assert done.format == "moodlexml" and done.applied, done.problems
    several = target.questions.get(key="agencies")
    assert several.kind_rules.label == "Multiple response"
    assert several.prompt == "Which are space agencies?"
    assert several.explanation == "Both **are**."
    assert several.points == Decimal("2.50") and several.shuffle is False
    assert choices(several) == [("NASA", True, ""), ("CNSA", True, ""), ("FIFA", False, "")]
    number = target.questions.get(key="sample")
    assert (number.numeric_answer, number.tolerance, number.unit) == (1731, 5, "g")
    assert number.points == Decimal("1.01")
    rounded = next(r for r in done.created if r.prompt.startswith("How much"))
    assert "1.005 points are rounded to 1.01." in rounded.changes
    cloze = target.questions.get(key="cloze")
    assert cloze.prompt == "Chang'e 4 landed on the [[1]] side in [[2]]."
    assert choices(cloze) == [("far ~ near", True, ""), ("2019 | January 2019", True, "")]
    assert [row.skipped for row in done.skipped] == [
        "Moodle's “calculated” questions have no kind here."
    ]


def test_moodle_xml_with_a_doctype_or_broken_markup_is_refused_with_its_line(target, teacher):
    bomb = '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaa">]>\n<quiz>&a;</quiz>'
    assert [p.reason for p in report.plan(bomb, target, teacher).problems] == [
        "A document type declaration (<!DOCTYPE>) is not accepted."
    ]
    broken = '<?xml version="1.0"?>\n<quiz>\n<question type="essay">\n</quiz>'
    (problem,) = report.plan(broken, target, teacher).problems
    assert problem.line == 4 and problem.reason.startswith("Not well-formed XML")


def test_limits_are_refused_with_a_clear_message(target, teacher):
    many = "\n\n".join(f"Question {n}?{{=yes ~no}}" for n in range(501))
    with pytest.raises(report.ImportRefused, match="501 questions; an import takes at most 500"):
        report.plan(many, target, teacher)
    with pytest.raises(report.ImportRefused, match="most an import takes is 1000 kB"):
        report.decode(b"x" * 1_000_001)
    long = "x" * 5001 + "{=yes ~no}"
    assert [p.reason for p in report.plan(long, target, teacher).problems] == [
        "The question is over 5000 characters."
    ]


def test_the_format_is_detected(target):
    assert report.detect("<?xml version='1.0'?><quiz/>") == "moodlexml"
    assert report.detect("Which?\nA. x\nB. y\nANSWER: A") == "aiken"
    assert report.detect("Which?{=x ~y}") == "gift"


def test_a_new_quiz_is_made_for_its_importer_only_when_applied(teacher):
    lesson = LessonFactory()
    SectionFactory(lesson=lesson)
    quiz = report.new_quiz("from-moodle", lesson)

    report.plan("Which?{=a ~b}", quiz, teacher)
    assert not Quiz.objects.filter(slug="from-moodle").exists() and quiz.pk is None

    done = report.apply("Which?{=a ~b}", quiz, teacher)
    made = Quiz.objects.get(slug="from-moodle")
    assert done.applied and done.new_quiz
    assert list(made.owners.all()) == [teacher] and made.questions.count() == 1


# --- the commands ----------------------------------------------------------------------------
def test_the_import_command_prints_the_report_and_writes_only_without_dry_run(
    target, teacher, tmp_path
):
    path = tmp_path / "bank.gift.txt"
    path.write_text(GIFT_EXAMPLES, encoding="utf-8")
    out = StringIO()
    call_command("import_questions", str(path), "--quiz", target.slug, "--dry-run", stdout=out)
    printed = out.getvalue()
    assert "Questions to create: 16" in printed
    assert "1. [line 4] Single choice, 1.00 points: Which agency runs China's lunar programme?" in (
        printed
    )
    assert "Key: CNSA" in printed and "Dry run: nothing written." in printed
    assert target.questions.count() == 0

    call_command("import_questions", str(path), "--quiz", target.slug, stdout=StringIO())
    assert target.questions.count() == 16


def test_the_import_command_fails_on_a_bad_file_and_writes_nothing(target, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("Good?{=a ~b}\n\nBad?{=a ~b\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_questions", str(path), "--quiz", target.slug, stdout=out)
    assert "line 3: The answers opened with { are never closed with }." in out.getvalue()
    assert target.questions.count() == 0


def test_the_import_command_makes_a_missing_quiz_owned_by_the_teacher(teacher, tmp_path):
    lesson = LessonFactory(slug="space")
    SectionFactory(lesson=lesson)
    path = tmp_path / "bank.txt"
    path.write_text("Which?\nA. x\nB. y\nANSWER: B\n", encoding="utf-8")
    call_command(
        "import_questions",
        str(path),
        "--quiz",
        "from-moodle",
        "--lesson",
        "space",
        "--owner",
        "teacher",
        stdout=StringIO(),
    )
    quiz = Quiz.objects.get(slug="from-moodle")
    assert quiz.lesson == lesson and list(quiz.owners.all()) == [teacher]


def test_the_import_command_refuses_a_teacher_who_does_not_own_the_quiz(target, tmp_path):
    TeacherFactory(username="other")
    path = tmp_path / "bank.txt"
    path.write_text("Which?{=a ~b}", encoding="utf-8")
    with pytest.raises(CommandError, match="doesn't own the quiz"):
        call_command("import_questions", str(path), "--quiz", target.slug, "--owner", "other")


def test_the_export_command_writes_gift_and_moodle_xml(target, tmp_path):
    QuestionFactory(
        quiz=target, key="agency", prompt="Which agency?", choices=[("CNSA", True), ("NASA", False)]
    )
    out = StringIO()
    call_command("export_questions", target.slug, "--format", "gift", stdout=out)
    assert "::agency::[markdown]Which agency? {=CNSA ~NASA ####Because the lesson says so.}" in (
        out.getvalue()
    )
    path = tmp_path / "quiz.xml"
    call_command("export_questions", target.slug, "--format", "moodlexml", "-o", str(path))
    assert '<question type="multichoice">' in path.read_text()


@pytest.mark.parametrize(
    "hostile",
    [
        "{" * 999_000,
        "\\" * 999_000,
        "Which?{" + "~a" * 490_000 + "}",
        "::" * 499_000,
        "Which?\n" + "A. x\n" * 190_000,
        "<quiz>" + "<a>" * 300_000,
        "[html]" + "<b>" * 300_000 + "{}",
        "<quiz><question type='cloze'><questiontext><text>"
        + "{1:SA:" * 150_000
        + "</text></questiontext></question></quiz>",
    ],
    ids=["braces", "backslashes", "answers", "colons", "aiken", "nesting", "tags", "cloze"],
)
def test_any_file_up_to_the_limit_is_answered_in_seconds(target, teacher, hostile):
    started = time.monotonic()
    found = report.plan(hostile, target, teacher)
    assert time.monotonic() - started < 5  # about 1 s on a laptop; a shared CI runner is slower
    assert found.problems or found.skipped


def test_an_export_holds_the_current_version_of_each_question(target):
    question = QuestionFactory(quiz=target, key="agency", prompt="Which agency is China's?")
    question.prompt = "Which agency runs China's lunar programme?"
    question.new_version()

    text, _left_out = report.export([target], "gift")
    assert "lunar programme" in text and "is China's?" not in text
    xml, _left_out = report.export([target], "moodlexml")
    assert xml.count("<question ") == 1
