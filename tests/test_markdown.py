import csv
import html
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils.html import linebreaks

from accounts.factories import UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory
from lessons import markdown
from lessons.factories import LessonFactory, SectionFactory
from lessons.markdown import render_markdown
from lessons.models import Lesson, Section, glossary_terms
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.forms import answer_data
from quizzes.models import Attempt, Question

HOSTILE = """Read this.

<script>alert("script")</script>
<img src="x" onerror="alert('img')">
[a trap](javascript:alert('link'))
<a href="JaVaScRiPt:alert('a')" onclick="alert('click')">another</a>
<iframe src="https://evil.example/"></iframe>
<style>body { display: none }</style>
<p style="position:fixed" onmouseover="alert('p')">styled</p>
<svg onload="alert('svg')"><script>alert('svg script')</script></svg>"""


class Markup(HTMLParser):
    def __init__(self, markup):
        super().__init__()
        self.tags, self.attributes = set(), set()
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes |= {(tag, name, value) for name, value in attrs}


def assert_only_harmless_markup(markup):
    """Only the allowed tags, links only to web pages and mail, whatever the text says."""
    parsed = Markup(markup)
    assert parsed.tags <= markdown.ALLOWED_TAGS
    for tag, name, value in parsed.attributes:
        assert tag == "a" and name in ("href", "title", "rel"), (tag, name)
        assert name != "href" or urlsplit(value).scheme in ("", "http", "https", "mailto"), value


def assert_nothing_executable(markup):
    lowered = markup.lower()
    for danger in ("<script", "onerror", "onclick", "onload", "onmouseover", "javascript:"):
        assert danger not in lowered, danger
    for tag in ("<iframe", "<style", "<svg", "<img"):
        assert tag not in lowered, tag
    assert "style=" not in lowered


def test_markdown_emphasis_lists_and_links_render():
    rendered = render_markdown(
        "Some *stress* and **weight**.\n\n- CNSA\n- NASA\n\n1. first\n2. second\n\n"
        "[The article](https://www.cgtn.com/) and `code`\n\n> quoted\n\n### Part two"
    )
    assert "<em>stress</em>" in rendered and "<strong>weight</strong>" in rendered
    assert "<ul>\n<li>CNSA</li>\n<li>NASA</li>\n</ul>" in rendered
    assert "<ol>\n<li>first</li>" in rendered
    assert '<a href="https://www.cgtn.com/" rel="noopener nofollow">The article</a>' in rendered
    assert "<code>code</code>" in rendered
    assert "<blockquote>" in rendered
    assert "<h3>Part two</h3>" in rendered


def test_plain_text_keeps_its_paragraphs_and_line_breaks():
    assert render_markdown("One line\nand the next.\n\nA new paragraph & more.") == (
        "<p>One line<br>\nand the next.</p>\n<p>A new paragraph &amp; more.</p>"
    )


def test_script_handlers_and_javascript_links_are_removed():
    rendered = render_markdown(HOSTILE)
    assert_nothing_executable(rendered)
    assert "Read this." in rendered
    assert "a trap" in rendered and "another" in rendered and "styled" in rendered


def test_a_pathological_text_renders_quickly_as_plain_paragraphs():
    rendered = render_markdown("[" * 20_000 + "<b>")
    assert rendered.startswith("<p>[[[") and rendered.endswith("&lt;b&gt;</p>")


def filled(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


LONGEST = markdown.MAX_LENGTH
# Texts at the edge of the renderer's bounds, with one more construct than it allows.
# bench/hostile_input.py times the worst texts within them.
EDGES = {
    "length": ("*a* " + filled("b ", LONGEST - 4), "*a* " + filled("b ", LONGEST - 3)),
    "constructs": (
        "*a* " * (markdown.MAX_MARKUP // 2) + filled("b ", 10_000),
        "*a* " * (markdown.MAX_MARKUP // 2) + "*a" + filled("b ", 10_000),
    ),
    "reading ahead": ("*a* [" + filled("b ", 19_990), "*a* [[" + filled("b ", 19_990)),
    "tags read ahead": ("*a* <a " + filled("b ", 19_990), "*a* <a <a " + filled("b ", 19_990)),
    "lines in a paragraph": ("\n".join(["*a*"] * 100), "\n".join(["*a*"] * 101)),
    "quotes in quotes": (">" * 10 + " *a*", ">" * 11 + " *a*"),
    "backticks": ("*a* `" + filled("b", 19_990), "*a* `" + filled("b", 19_990) + "`` `"),
}


@pytest.mark.parametrize("bound", EDGES)
def test_text_beyond_a_bound_shows_as_plain_escaped_paragraphs(bound):
    within, beyond = EDGES[bound]
    assert "<em>a</em>" in render_markdown(within)  # control: Markdown up to the bound
    beyond += '\n\n<script>alert("x")</script>'
    rendered = render_markdown(beyond)
    assert rendered == linebreaks(beyond, autoescape=True)
    assert Markup(rendered).tags <= {"p", "br"}


@pytest.mark.parametrize(
    "text",
    [
        "[a](b) " * 300,  # links
        '<a title="> ' * 100,  # a ">" inside quotes
        "".join("    " * depth + "- a\n" for depth in range(90)),  # lists 90 deep
        "<div>\n\n" * 100,
        "*a **b ***c " * 90,
    ],
)
def test_the_worst_texts_within_the_bounds_render_without_anything_executable(text):
    text += "\n\n" + HOSTILE
    assert markdown.is_bounded(text)
    rendered = render_markdown(text)
    assert_only_harmless_markup(rendered)
    assert "Read this." in rendered and "<script" not in rendered


def test_windows_line_ends_from_the_admin_keep_their_paragraphs():
    text = "\r\n\r\n".join(f"Part *{n}*\r\nnext line" for n in range(120))
    rendered = render_markdown(text)
    assert rendered.count("<p>") == 120 and "<em>119</em>" in rendered


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        ("lessons.Section", "body", 20_000),
        ("lessons.Lesson", "summary", 2_000),
        ("quizzes.Question", "explanation", 5_000),
        ("quizzes.Quiz", "description", 2_000),
    ],
)
def test_every_markdown_field_has_a_length_cap_with_a_clear_message(model, field, limit):
    from django.apps import apps
    from django.core.exceptions import ValidationError

    model_field = apps.get_model(model)._meta.get_field(field)
    model_field.run_validators("x" * limit)
    with pytest.raises(ValidationError) as refused:
        model_field.run_validators("x" * (limit + 1))
    assert refused.value.messages == [
        f"This text has {limit + 1} characters; the most is {limit}, so that pages stay quick "
        "to show. Shorten it, or split a long section in two."
    ]


def test_an_over_long_section_is_refused_in_the_admin_and_nothing_changes(teacher_client):
    section = SectionFactory(body="The CNSA and NASA.")
    form = {
        "lesson": section.lesson_id,
        "position": section.position,
        "anchor": section.anchor,
        "heading": section.heading,
    }
    url = f"/admin/lessons/section/{section.pk}/change/"

    refused = teacher_client.post(url, {**form, "body": "a" * 20_001})

    assert refused.status_code == 200
    assert "This text has 20001 characters; the most is 20000" in refused.text
    assert "a" * 20_001 in refused.text  # still in the box, to be shortened
    section.refresh_from_db()
    assert section.body == "The CNSA and NASA."
    assert teacher_client.post(url, {**form, "body": "a" * 20_000}).status_code == 302
    section.refresh_from_db()
    assert len(section.body) == 20_000


def test_an_over_long_text_that_reached_the_database_shows_as_plain_paragraphs(db, client):
    body = filled("*a* ", 30_000) + "<script>alert(1)</script>"
    section = SectionFactory(lesson=LessonFactory(slug="long"), body=body)  # no validation

    page = client.get("/lessons/long/")

    assert page.status_code == 200
    shown = page.text.split(f'id="{section.anchor}"')[1].split("</section>")[0]
    assert "*a* *a*" in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<em>" not in shown and "<script>alert" not in shown


@pytest.fixture
def hostile_lesson(db):
    lesson = LessonFactory(
        slug="hostile",
        summary='A *summary* <script>alert("summary")</script>',
    )
    section = SectionFactory(lesson=lesson, anchor="trap", heading="Trap", body=HOSTILE)
    quiz = QuizFactory(
        lesson=lesson,
        slug="hostile-practice",
        is_practice=True,
        description='Try **this** <img src=x onerror="alert(1)">',
    )
    QuestionFactory(
        quiz=quiz,
        evidence=section,
        prompt="Pick one",
        explanation=HOSTILE + "\n\nSee *the lesson*.",
        choices=[("Right", True), ("Wrong", False)],
    )
    return lesson


def test_the_lesson_page_shows_teacher_markdown_without_anything_executable(client, hostile_lesson):
    page = client.get("/lessons/hostile/").text
    body = page.split('<article class="lesson">')[1].split("</article>")[0]
    assert_nothing_executable(body)
    assert "<em>summary</em>" in body
    assert "<strong>this</strong>" in page


def test_the_embed_shows_teacher_markdown_without_anything_executable(client, hostile_lesson):
    page = client.get("/embed/lessons/hostile/").text
    main = page.split('<article class="lesson"')[1]
    assert_nothing_executable(main.split("</article>")[0])
    assert "<em>summary</em>" in main
    assert "<strong>this</strong>" in main


def test_explanations_in_feedback_are_markdown_without_anything_executable(client, hostile_lesson):
    client.post("/quizzes/hostile-practice/start/")
    attempt = Attempt.objects.get()
    question = attempt.quiz.questions.get()
    right = answer_data(attempt, question, question.choices.get(text="Right").pk)

    feedback = client.post(
        f"/attempts/{attempt.public_id}/questions/1/",
        right,
        HTTP_HX_REQUEST="true",
    )

    assert feedback.status_code == 200
    assert '<div class="explanation" lang="en">' in feedback.text
    assert "<em>the lesson</em>" in feedback.text
    assert_nothing_executable(feedback.text.split('<div class="explanation" lang="en">')[1])


def test_explanations_on_the_results_page_are_clean(client, hostile_lesson):
    client.post("/quizzes/hostile-practice/start/")
    attempt = Attempt.objects.get()
    client.post(f"/attempts/{attempt.public_id}/submit/")

    page = client.get(f"/attempts/{attempt.public_id}/results/").text

    explanation = page.split('<div class="explanation" lang="en">')[1].split("</div>")[0]
    assert "<em>the lesson</em>" in explanation
    assert_nothing_executable(explanation)


def test_shipped_lessons_and_explanations_render_as_before(db, client):
    call_command("loaddata", "lessons", "quizzes", verbosity=0)

    def squash(markup):  # the same tags and text, whatever the spaces and entities
        return re.sub(r"\s+", " ", html.unescape(markup)).strip()

    texts = [s.body for s in Section.objects.all()]
    texts += list(Question.objects.values_list("explanation", flat=True))
    for text in texts:
        assert squash(render_markdown(text)) == squash(linebreaks(text, autoescape=True)), text
    # Glossaries and timelines still read as term lists.
    term_sections = [s for s in Section.objects.all() if glossary_terms(s.body)]
    assert term_sections
    lesson = Lesson.objects.get(pk=term_sections[0].lesson_id)
    page = client.get(lesson.get_absolute_url()).text
    term, _text = glossary_terms(term_sections[0].body)[0]
    assert f"<dt>{term}</dt>" in page


ANSWER = '<script>alert(1)</script> =HYPERLINK("https://evil.example","click")'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def hostile_answers(teacher, take_quiz):
    """A submitted essay and short text holding markup, by a student whose name is a formula."""
    quiz = QuizFactory(title="Wolf quiz")
    essay = QuestionFactory(
        quiz=quiz, kind=Question.Kind.ESSAY, points=Decimal(4), prompt="Why?", choices=[]
    )
    short = QuestionFactory(
        quiz=quiz,
        kind=Question.Kind.SHORT_TEXT,
        prompt="Which law?",
        choices=[("Wolf Amendment", True)],
    )
    assignment = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[teacher]))
    student = UserFactory(username="@SUM(1+1)", first_name='=HYPERLINK("https://evil.example","x")')
    assignment.classroom.enrollments.create(student=student)
    attempt = take_quiz(assignment, student, {essay: ANSWER, short: ANSWER})
    return attempt


def test_student_answers_show_escaped_on_the_teachers_pages(teacher_client, hostile_answers):
    attempt = hostile_answers
    essay = attempt.responses.get(question__kind=Question.Kind.ESSAY)
    pages = [
        teacher_client.get("/admin/quizzes/response/queue/", follow=True),
        teacher_client.get(f"/admin/quizzes/response/{essay.pk}/change/", follow=True),
        teacher_client.get(f"/admin/quizzes/attempt/{attempt.pk}/change/"),
        teacher_client.get(f"/admin/classrooms/assignment/{attempt.assignment_id}/statistics/"),
    ]
    for page in pages:
        assert page.status_code == 200, page.request["PATH_INFO"]
        assert "<script>alert(1)</script>" not in page.text, page.request["PATH_INFO"]
    for page in pages[:3]:
        assert ESCAPED in page.text, page.request["PATH_INFO"]
    assert "&lt;script&gt;alert(1)&lt;/scr" in pages[3].text  # typed answers, cut to 40


def test_the_gradebook_and_its_export_neutralise_a_formula_name(teacher_client, hostile_answers):
    classroom_id = hostile_answers.assignment.classroom_id
    page = teacher_client.get(f"/admin/classrooms/classroom/{classroom_id}/gradebook/")
    export = teacher_client.get(f"/admin/classrooms/classroom/{classroom_id}/gradebook.csv")

    assert "=HYPERLINK(&quot;https://evil.example&quot;" in page.text
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    student_row = next(row for row in rows if "SUM" in row[0])
    assert student_row[0] == "'@SUM(1+1)"
    assert student_row[2] == '\'=HYPERLINK("https://evil.example","x")'
