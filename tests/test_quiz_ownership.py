"""Quizzes have owners: only they (and superusers) change a quiz and its questions. Another
teacher reads it, assigns it to their classes, or duplicates it into a copy of their own."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.factories import TeacherFactory, UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory, EnrollmentFactory
from classrooms.models import Assignment
from lessons.factories import SectionFactory
from quizzes import kinds
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Attempt, Choice, Question, Quiz
from tests.admin_forms import client_for, question_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(take_quiz):
    """Teachers A and B, each with a class; A's quiz, which A's student Ada has taken."""
    teacher_a = TeacherFactory(username="teacher-a", first_name="Ana", last_name="Avery")
    teacher_b = TeacherFactory(username="teacher-b", first_name="Ben", last_name="Brook")
    class_a = ClassroomFactory(name="Apollo", teachers=[teacher_a])
    class_b = ClassroomFactory(name="Gemini", teachers=[teacher_b])
    quiz = QuizFactory(title="Wolf Amendment", slug="wolf", owners=[teacher_a])
    also = SectionFactory(lesson=quiz.lesson, anchor="debate", heading="The debate")
    agency = QuestionFactory(
        quiz=quiz, position=1, key="agency", choices=[("CNSA", True), ("NASA", False)]
    )
    agency.also_cites.set([also])
    year = QuestionFactory(
        quiz=quiz,
        position=2,
        key="year",
        kind=Question.Kind.NUMERIC,
        numeric_answer=Decimal(2011),
        choices=[],
    )
    ada = UserFactory(username="ada")
    EnrollmentFactory(classroom=class_a, student=ada)
    assignment = AssignmentFactory(classroom=class_a, quiz=quiz)
    attempt = take_quiz(assignment, ada, {agency: agency.choices.get(text="CNSA").pk, year: "2011"})
    return {
        "a": client_for(teacher_a),
        "b": client_for(teacher_b),
        "teacher_a": teacher_a,
        "teacher_b": teacher_b,
        "class_b": class_b,
        "quiz": quiz,
        "agency": agency,
        "year": year,
        "attempt": attempt,
    }


def quiz_form(quiz, **changes) -> dict:
    data = {
        "lesson": quiz.lesson_id,
        "title": quiz.title,
        "slug": quiz.slug,
        "description": quiz.description,
        "position": quiz.position,
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
    }
    return data | changes


def change_url(obj) -> str:
    return reverse(f"admin:quizzes_{obj._meta.model_name}_change", args=[obj.pk])


def right_choice(question) -> str:
    """The right choice of the question's current version."""
    return Choice.objects.get(
        question__key=question.key, question__is_current=True, is_correct=True
    ).text


def test_another_teacher_sees_the_quiz_and_its_questions_read_only(school):
    quiz_page = school["b"].get(change_url(school["quiz"])).text
    assert 'name="title"' not in quiz_page
    assert "Owners: Ana Avery." in quiz_page
    assert "Only its owners change this quiz." in quiz_page
    assert "Duplicate into my quizzes" in quiz_page

    question_page = school["b"].get(change_url(school["agency"])).text
    assert 'name="prompt"' not in question_page
    assert 'name="choices-0-text"' not in question_page
    assert "Regrade answers" not in question_page
    assert reverse("admin:quizzes_question_kind", args=[school["agency"].pk]) not in question_page
    assert "Only the owners of its quiz change this question." in question_page


def test_the_owner_sees_an_editable_quiz_that_says_it_is_theirs(school):
    page = school["a"].get(change_url(school["quiz"])).text
    assert 'name="title"' in page
    assert "Owners: you." in page
    assert "Only its owners" not in page


def test_another_teachers_posts_are_refused_and_change_nothing(school):
    quiz, agency, b = school["quiz"], school["agency"], school["b"]
    posts = {
        "quiz": b.post(change_url(quiz), quiz_form(quiz, title="Hijacked", is_practice="on")),
        "question": b.post(change_url(agency), question_form(agency, right="NASA")),
        "quiz delete": b.post(
            reverse("admin:quizzes_quiz_delete", args=[quiz.pk]), {"post": "yes"}
        ),
        "question delete": b.post(
            reverse("admin:quizzes_question_delete", args=[agency.pk]), {"post": "yes"}
        ),
        "regrade": b.post(reverse("admin:quizzes_question_regrade", args=[agency.pk])),
        "kind": b.get(reverse("admin:quizzes_question_kind", args=[agency.pk]), {"kind": "essay"}),
    }
    assert {name: post.status_code for name, post in posts.items()} == dict.fromkeys(posts, 403)
    quiz.refresh_from_db()
    assert (quiz.title, quiz.is_practice) == ("Wolf Amendment", False)
    assert list(quiz.questions.order_by("position")) == [agency, school["year"]]
    assert right_choice(agency) == "CNSA"
    assert Choice.objects.filter(question=agency).count() == 2


def test_a_question_cannot_be_added_to_or_moved_into_another_teachers_quiz(school):
    mine = QuizFactory(lesson=school["quiz"].lesson, owners=[school["teacher_b"]])
    question = QuestionFactory(quiz=mine, key="mine", choices=[("Yes", True), ("No", False)])
    data = question_form(question, right="Yes") | {"quiz": school["quiz"].pk}
    moved = school["b"].post(change_url(question), data)
    assert "Select a valid choice" in moved.text
    added = school["b"].post(
        reverse("admin:quizzes_question_add") + "?kind=single",
        data | {"key": "new", "choices-INITIAL_FORMS": "0"},
    )
    assert "Select a valid choice" in added.text
    assert school["quiz"].questions.count() == 2
    assert Question.objects.get(pk=question.pk).quiz == mine


def test_another_teacher_can_assign_the_quiz_to_their_class(school):
    b, quiz = school["b"], school["quiz"]
    found = b.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "classrooms",
            "model_name": "assignment",
            "field_name": "quiz",
            "term": "Wolf",
        },
    )
    assert {"id": str(quiz.pk), "text": "Wolf Amendment"} in found.json()["results"]
    due = timezone.localtime() + timedelta(days=3)
    saved = b.post(
        reverse("admin:classrooms_assignment_add"),
        {
            "classroom": school["class_b"].pk,
            "quiz": quiz.pk,
            "due_at_0": due.strftime("%Y-%m-%d"),
            "due_at_1": due.strftime("%H:%M:%S"),
            "attempts_allowed": "1",
            "grading_method": "highest",
            "feedback_mode": "deferred",
            "overrides-TOTAL_FORMS": "0",
            "overrides-INITIAL_FORMS": "0",
        },
    )
    assert saved.status_code == 302
    assert Assignment.objects.filter(classroom=school["class_b"], quiz=quiz).exists()


def test_a_duplicate_is_the_teachers_own_copy_of_every_question_and_lesson_link(school):
    quiz, b = school["quiz"], school["b"]
    confirm = b.get(reverse("admin:quizzes_quiz_duplicate", args=[quiz.pk]))
    assert "with its 2 questions" in confirm.text
    done = b.post(reverse("admin:quizzes_quiz_duplicate", args=[quiz.pk]), follow=True)

    copy = Quiz.objects.get(title="Wolf Amendment (copy)")
    assert done.redirect_chain == [(change_url(copy), 302)]
    assert "“Wolf Amendment (copy)” is your copy, with 2 questions" in done.text
    assert 'name="title"' in done.text  # B may change it
    assert (copy.slug, copy.lesson, copy.is_practice) == ("wolf-copy", quiz.lesson, False)
    assert list(copy.owners.all()) == [school["teacher_b"]]

    def shape(q):
        return (
            q.position,
            q.kind,
            q.prompt,
            q.points,
            q.numeric_answer,
            q.evidence_id,
            [s.pk for s in q.also_cites.all()],
            [(c.position, c.text, c.is_correct, c.match_text) for c in q.choices.all()],
        )

    originals = quiz.questions.order_by("position")
    copies = copy.questions.order_by("position")
    assert [shape(q) for q in copies] == [shape(q) for q in originals]
    assert not {q.pk for q in copies} & {q.pk for q in originals}
    assert [q.key for q in copies] == ["agency-copy", "year-copy"]


def test_editing_the_copy_leaves_the_original_and_its_students_scores_alone(school):
    b, original = school["b"], school["agency"]
    b.post(reverse("admin:quizzes_quiz_duplicate", args=[school["quiz"].pk]))
    copied = Question.objects.get(key="agency-copy")

    saved = b.post(change_url(copied), question_form(copied, right="NASA"))

    assert saved.status_code == 302
    assert right_choice(copied) == "NASA"
    assert right_choice(original) == "CNSA"
    attempt = Attempt.objects.get(pk=school["attempt"].pk)
    assert attempt.score == attempt.max_score == Decimal(2)
    assert (
        school["b"].post(change_url(original), question_form(original, right="NASA")).status_code
        == 403
    )


def test_the_list_says_whose_each_quiz_is_and_filters_mine(school):
    b = school["b"]
    b.post(reverse("admin:quizzes_quiz_duplicate", args=[school["quiz"].pk]))
    QuizFactory(title="Shipped quiz")
    listed = b.get(reverse("admin:quizzes_quiz_changelist")).text
    assert '<td class="field-owners">you</td>' in listed
    assert '<td class="field-owners">Ana Avery</td>' in listed
    assert '<td class="field-owners">nobody (shipped)</td>' in listed
    mine = b.get(reverse("admin:quizzes_quiz_changelist"), {"owner": "mine"}).text
    assert "Wolf Amendment (copy)" in mine
    assert "Shipped quiz" not in mine and ">Wolf Amendment<" not in mine


def test_the_list_action_duplicates_and_opens_the_copy(school):
    quiz = school["quiz"]
    done = school["b"].post(
        reverse("admin:quizzes_quiz_changelist"),
        {"action": "duplicate", "_selected_action": [quiz.pk]},
    )
    copy = Quiz.objects.get(title="Wolf Amendment (copy)")
    assert done["Location"] == change_url(copy)
    assert copy.questions.count() == 2


def test_a_teacher_who_makes_a_quiz_owns_it(school):
    saved = school["b"].post(
        reverse("admin:quizzes_quiz_add"),
        quiz_form(school["quiz"], title="My own quiz", slug="my-own"),
    )
    assert saved.status_code == 302
    made = Quiz.objects.get(slug="my-own")
    assert list(made.owners.all()) == [school["teacher_b"]]
    assert 'name="title"' in school["b"].get(change_url(made)).text


def test_a_superuser_changes_any_quiz(school):
    root = client_for(UserFactory(username="root", is_staff=True, is_superuser=True))
    quiz, agency = school["quiz"], school["agency"]
    assert root.post(change_url(quiz), quiz_form(quiz, title="Renamed")).status_code == 302
    assert root.post(change_url(agency), question_form(agency, right="NASA")).status_code == 302
    quiz.refresh_from_db()
    assert (quiz.title, right_choice(agency)) == ("Renamed", "NASA")


def test_the_shipped_bank_is_duplicated_by_teachers_and_changed_by_superusers_only(school):
    shipped = QuizFactory(title="Shipped practice", slug="shipped", is_practice=True)
    question = QuestionFactory(
        quiz=shipped, key="shipped-q", choices=[("Yes", True), ("No", False)]
    )
    a = school["a"]

    assert "Owners: nobody (shipped)." in a.get(change_url(shipped)).text
    assert a.post(change_url(shipped), quiz_form(shipped, title="Mine now")).status_code == 403
    assert a.post(change_url(question), question_form(question, right="No")).status_code == 403
    a.post(reverse("admin:quizzes_quiz_duplicate", args=[shipped.pk]))

    shipped.refresh_from_db()
    assert (shipped.title, right_choice(question)) == ("Shipped practice", "Yes")
    copy = Quiz.objects.get(title="Shipped practice (copy)")
    assert not copy.is_practice  # a copy is never a second public practice quiz
    assert list(copy.owners.all()) == [school["teacher_a"]]


def test_duplicating_twice_gives_two_different_addresses(school):
    quiz = school["quiz"]
    first, second = quiz.duplicate(school["teacher_b"]), quiz.duplicate(school["teacher_b"])
    assert (first.slug, second.slug) == ("wolf-copy", "wolf-copy-2")
    assert set(second.questions.values_list("key", flat=True)) == {"agency-copy-2", "year-copy-2"}


def test_a_question_of_every_kind_is_copied_field_for_field(school):
    quiz = QuizFactory(owners=[school["teacher_a"]])
    for position, kind in enumerate(kinds.all_kinds(), 1):
        fields, choices = kind.example()
        QuestionFactory(quiz=quiz, position=position, kind=kind.value, choices=choices, **fields)
    copy = quiz.duplicate(school["teacher_b"])

    def content(question) -> dict:
        skipped = {"id", "quiz", "key"}
        fields = {f.name: getattr(question, f.attname) for f in Question._meta.concrete_fields}
        fields = {name: value for name, value in fields.items() if name not in skipped}
        choices = question.choices.values_list("position", "text", "is_correct", "match_text")
        return fields | {"choices": list(choices)}

    originals = [content(q) for q in quiz.questions.order_by("position")]
    assert [content(q) for q in copy.questions.order_by("position")] == originals
    assert len(originals) == len(kinds.all_kinds())


def test_the_quiz_page_says_where_it_is_used_and_counts_other_teachers_classes(school):
    quiz = school["quiz"]
    AssignmentFactory(classroom=school["class_b"], quiz=quiz)

    seen_by_a = school["a"].get(change_url(quiz)).content.decode()
    assert "Where this quiz is used" in seen_by_a
    assert re.search(r"Apollo</a>:\s+1 attempt\b", seen_by_a)  # A's own class, with Ada's
    assert "Other teachers have it assigned in 1 class." in seen_by_a
    assert "Gemini" not in seen_by_a  # another teacher's class is counted, never named

    seen_by_b = school["b"].get(change_url(quiz)).content.decode()
    assert re.search(r"Gemini</a>:\s+0 attempts", seen_by_b)
    assert "Apollo" not in seen_by_b
