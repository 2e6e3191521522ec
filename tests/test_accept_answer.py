"""Accept this answer for everyone: a student's typed answer (or one gap of it) becomes a
right answer, as a new version of the question that each class moves to from a dry run."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.factories import TeacherFactory, UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory
from quizzes import kinds
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Question
from tests.admin_forms import client_for

pytestmark = pytest.mark.django_db

TYPED = "China National Space Administration"


@pytest.fixture
def school(take_quiz):
    owner, other = TeacherFactory(username="owner"), TeacherFactory(username="other")
    quiz = QuizFactory(owners=[owner])
    question = QuestionFactory(
        quiz=quiz, kind=Question.Kind.SHORT_TEXT, choices=[("CNSA", True)], prompt="Which agency?"
    )
    own_class = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[owner]))
    other_class = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[other]))
    mine = take_quiz(own_class, UserFactory(username="ada"), {question: TYPED})
    theirs = take_quiz(other_class, UserFactory(username="bo"), {question: TYPED})
    return {
        "owner": client_for(owner),
        "other": client_for(other),
        "question": question,
        "own_class": own_class,
        "mine": mine,
        "theirs": theirs,
    }


def test_the_owner_accepts_a_typed_answer_and_moves_their_class_after_a_dry_run(school, run_tasks):
    response = school["mine"].responses.get()
    mark_page = school["owner"].get(reverse("admin:quizzes_response_mark", args=[response.pk]))
    accept_url = reverse("admin:quizzes_response_accept", args=[response.pk])
    assert f"Accept “{TYPED}” for everyone" in mark_page.text
    assert f"{accept_url}?part=0" in mark_page.text

    confirm = school["owner"].get(accept_url, {"part": "0"})
    assert "makes a new version" in confirm.text
    done = school["owner"].post(accept_url, {"part": "0"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse(
        "admin:classrooms_assignment_versions", args=[school["own_class"].pk]
    )
    assert "1 score changes: 1 up, 0 down." in done.text
    current = Question.objects.get(key=school["question"].key, is_current=True)
    assert sorted(current.choices.values_list("text", flat=True)) == ["CNSA", TYPED]

    school["owner"].post(done.redirect_chain[-1][0])
    run_tasks()
    school["mine"].refresh_from_db()
    school["theirs"].refresh_from_db()
    assert school["mine"].score == Decimal(1)
    assert school["theirs"].score == Decimal(0)  # the other class keeps its version for now


def test_another_teacher_cannot_accept_an_answer_to_a_quiz_they_do_not_own(school):
    response = school["theirs"].responses.get()
    mark_page = school["other"].get(reverse("admin:quizzes_response_mark", args=[response.pk]))
    assert "for everyone" not in mark_page.text
    accept_url = reverse("admin:quizzes_response_accept", args=[response.pk])
    assert school["other"].post(accept_url, {"part": "0"}).status_code == 403
    assert Question.objects.filter(key=school["question"].key).count() == 1


def test_one_gap_of_a_fill_in_the_blanks_answer_is_accepted(take_quiz, teacher, teacher_client):
    fields, choices = kinds.get(Question.Kind.FILL_BLANKS).example()
    quiz = QuizFactory(owners=[teacher])
    question = QuestionFactory(quiz=quiz, kind=Question.Kind.FILL_BLANKS, choices=choices, **fields)
    typed = next(c for c in question.choices.all() if "~" not in c.text)
    assignment = AssignmentFactory(quiz=quiz, classroom=ClassroomFactory(teachers=[teacher]))
    attempt = take_quiz(assignment, UserFactory(), {question: {str(typed.pk): "Jade Hare"}})
    response = attempt.responses.get()
    page = teacher_client.get(reverse("admin:quizzes_response_mark", args=[response.pk]))
    assert f"Accept “Jade Hare” for gap {typed.position}, for everyone" in page.text

    teacher_client.post(reverse("admin:quizzes_response_accept", args=[response.pk]), {"part": "0"})
    current = Question.objects.get(key=question.key, is_current=True)
    gap = current.choices.get(origin=typed)
    assert gap.text == f"{typed.text} | Jade Hare"
    report = assignment.move_to_current_versions(by=None, dry_run=False)
    assert [len(moved.changes) for _old, _new, moved in report] == [1]
    attempt.refresh_from_db()
    assert attempt.score > 0
