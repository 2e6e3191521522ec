"""The quiz admin's "Import questions" page and its downloads, as teachers use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.factories import TeacherFactory
from background.models import Task
from lessons.factories import LessonFactory, SectionFactory
from quizzes.factories import QuestionFactory, QuizFactory

pytestmark = pytest.mark.django_db

BANK = "::Agency::Which agency is China's?{=CNSA ~NASA ~%50%ESA}\n\nHow are you?{}\n"


@pytest.fixture
def owner():
    return TeacherFactory(username="owner")


@pytest.fixture
def quiz(owner):
    lesson = LessonFactory()
    SectionFactory(lesson=lesson, heading="Opening")
    return QuizFactory(lesson=lesson, owners=[owner], title="Space")


def import_url(quiz):
    return reverse("admin:quizzes_quiz_import", args=[quiz.pk])


def test_the_owner_sees_the_report_before_anything_is_created(client, owner, quiz):
    client.force_login(owner)
    page = client.post(import_url(quiz), {"text": BANK, "format": ""})

    assert page.status_code == 200
    html = page.content.decode()
    assert "What importing this GIFT file will do" in html
    assert "Create these 2 questions" in html
    assert "“ESA” earned 50%; here it earns nothing." in html
    assert "Opening" in html  # the section every question cites
    assert quiz.questions.count() == 0


def test_confirming_reads_the_text_again_and_creates_the_questions(client, owner, quiz, run_tasks):
    client.force_login(owner)
    started = client.post(import_url(quiz), {"text": BANK, "format": "gift", "_apply": "1"})

    task = Task.objects.get()
    assert started.status_code == 302
    assert started["Location"] == reverse("admin:background_task_change", args=[task.pk])
    assert not quiz.questions.exists()  # the worker writes them
    run_tasks()
    assert [q.prompt for q in quiz.questions.all()] == ["Which agency is China's?", "How are you?"]
    page = client.get(started["Location"]).text
    assert "2 questions imported" in page
    assert reverse("admin:quizzes_quiz_change", args=[quiz.pk]) in page


def test_an_uploaded_file_is_read_like_pasted_text(client, owner, quiz):
    client.force_login(owner)
    upload = SimpleUploadedFile("bank.txt", b"Which?\nA. x\nB. y\nANSWER: B\n")
    page = client.post(import_url(quiz), {"file": upload, "format": ""})

    html = page.content.decode()
    assert "What importing this Aiken file will do" in html
    assert "Create this question" in html
    # The confirm form carries the file's text back, to be read again on confirming.
    assert "ANSWER: B" in html


def test_a_file_with_unreadable_lines_lists_them_and_cannot_be_confirmed(client, owner, quiz):
    client.force_login(owner)
    bad = "Good?{=a ~b}\n\nBad?{=a ~b\n"
    page = client.post(import_url(quiz), {"text": bad, "format": ""})
    html = page.content.decode()
    assert "Lines that can’t be read" in html
    assert "The answers opened with { are never closed with }." in html
    assert "Create this question" not in html

    client.post(import_url(quiz), {"text": bad, "format": "", "_apply": "1"})
    assert quiz.questions.count() == 0


def test_nothing_to_read_is_said_plainly(client, owner, quiz):
    client.force_login(owner)
    page = client.post(import_url(quiz), {"text": "  ", "format": ""})
    assert "Choose a file or paste the questions." in page.content.decode()
    big = SimpleUploadedFile("big.txt", b"x" * 1_000_001)
    page = client.post(import_url(quiz), {"file": big, "format": ""})
    assert "the most an import takes is 1000 kB" in page.content.decode()


def test_another_teacher_cannot_import_into_the_quiz(client, quiz):
    client.force_login(TeacherFactory(username="other"))

    assert client.get(import_url(quiz)).status_code == 403
    refused = client.post(import_url(quiz), {"text": BANK, "format": "", "_apply": "1"})
    assert refused.status_code == 403
    assert quiz.questions.count() == 0
    page = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    assert "Import questions" not in page and "Moodle XML" in page


def test_the_quiz_page_links_to_import_and_to_both_downloads(client, owner, quiz):
    QuestionFactory(
        quiz=quiz, key="agency", prompt="Which agency?", choices=[("CNSA", True), ("NASA", False)]
    )
    client.force_login(owner)
    page = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    assert import_url(quiz) in page

    export = reverse("admin:quizzes_quiz_export", args=[quiz.pk])
    gift = client.get(export, {"format": "gift"})
    assert gift["Content-Disposition"] == f'attachment; filename="{quiz.slug}.gift.txt"'
    assert "::agency::[markdown]Which agency? {=CNSA ~NASA" in gift.content.decode()
    xml = client.get(export, {"format": "moodlexml"})
    assert xml["Content-Type"] == "application/xml; charset=utf-8"
    assert "<text>Which agency?</text>" in xml.content.decode()


def test_the_list_action_exports_the_chosen_quizzes_each_under_its_category(client, owner, quiz):
    other = QuizFactory(lesson=quiz.lesson, title="Moon")
    QuestionFactory(quiz=quiz, prompt="First?")
    QuestionFactory(quiz=other, prompt="Second?")
    client.force_login(owner)
    response = client.post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "export_gift", "_selected_action": [quiz.pk, other.pk]},
    )
    text = response.content.decode()
    assert "$CATEGORY: Space" in text and "$CATEGORY: Moon" in text
    assert "First?" in text and "Second?" in text
