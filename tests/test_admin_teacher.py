"""A teacher reaches only their own classes, students, attempts and scores in the admin."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from accounts.factories import TeacherFactory, UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory, EnrollmentFactory
from classrooms.models import Assignment, Classroom
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Attempt, Question, Response, ScoreChange


@pytest.fixture
def first_class(teacher, take_quiz):
    """The first teacher's class: Orion Group, with Zelda's submitted essay waiting."""
    quiz = QuizFactory(title="Wolf quiz")
    QuestionFactory(quiz=quiz, position=1)
    essay = QuestionFactory(quiz=quiz, position=2, kind=Question.Kind.ESSAY, choices=[])
    classroom = ClassroomFactory(name="Orion Group", teachers=[teacher])
    zelda = UserFactory(username="zelda", first_name="Zelda", last_name="Zephyr")
    EnrollmentFactory(classroom=classroom, student=zelda)
    assignment = AssignmentFactory(classroom=classroom, quiz=quiz)
    attempt = take_quiz(assignment, zelda, {essay: "Zelda's essay about the dialogue."})
    return classroom, assignment, attempt


@pytest.fixture
def second_teacher(db, client):
    other = TeacherFactory(username="second")
    own = ClassroomFactory(name="Lyra Group", teachers=[other])
    AssignmentFactory(classroom=own, quiz=QuizFactory(title="Lyra quiz"))
    client.force_login(other)
    return other


def test_the_second_teacher_sees_none_of_the_first_teachers_rows_in_list_pages(
    first_class, second_teacher, client
):
    for url in [
        "/admin/classrooms/classroom/",
        "/admin/classrooms/assignment/",
        "/admin/quizzes/attempt/",
        "/admin/quizzes/response/",
    ]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Orion" not in page.text, url
        assert "zelda" not in page.text.lower(), url
    assert "Lyra Group" in client.get("/admin/classrooms/classroom/").text


def test_the_second_teacher_cannot_open_the_first_teachers_objects(
    first_class, second_teacher, client
):
    classroom, assignment, attempt = first_class
    response = attempt.responses.get(question__kind=Question.Kind.ESSAY)
    for url in [
        f"/admin/classrooms/classroom/{classroom.pk}/change/",
        f"/admin/classrooms/classroom/{classroom.pk}/history/",
        f"/admin/classrooms/classroom/{classroom.pk}/delete/",
        f"/admin/classrooms/assignment/{assignment.pk}/change/",
        f"/admin/quizzes/attempt/{attempt.pk}/change/",
    ]:
        page = client.get(url, follow=True)
        assert "doesn’t exist" in page.text, url
        assert "zelda" not in page.text.lower(), url
    for url in [
        f"/admin/classrooms/classroom/{classroom.pk}/gradebook/",
        f"/admin/classrooms/classroom/{classroom.pk}/gradebook.csv",
        f"/admin/classrooms/classroom/{classroom.pk}/roster/",
        f"/admin/classrooms/classroom/{classroom.pk}/join-code/",
        f"/admin/classrooms/assignment/{assignment.pk}/statistics/",
        f"/admin/quizzes/response/{response.pk}/mark/",
    ]:
        assert client.get(url).status_code == 404, url


def test_search_and_filters_find_nothing_of_the_first_teacher(first_class, second_teacher, client):
    classroom, assignment, _attempt = first_class
    assert "0 attempts" in client.get("/admin/quizzes/attempt/?q=zelda").text
    assert "0 classes" in client.get("/admin/classrooms/classroom/?q=Orion").text
    assert "0 responses" in client.get("/admin/quizzes/response/?q=zelda").text
    filtered = client.get(f"/admin/quizzes/attempt/?assignment__id__exact={assignment.pk}")
    assert "zelda" not in filtered.text.lower()
    filtered = client.get(f"/admin/classrooms/assignment/?classroom__id__exact={classroom.pk}")
    assert "Wolf quiz" not in filtered.text
    queue = client.get(f"/admin/quizzes/response/queue/?assignment={assignment.pk}")
    assert "Nothing waits for marking" in queue.text


def test_autocomplete_offers_only_the_teachers_own_classes(first_class, second_teacher, client):
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "classrooms", "model_name": "assignment", "field_name": "classroom"},
    ).json()
    assert [result["text"] for result in found["results"]] == ["Lyra Group"]


def test_the_second_teacher_cannot_change_the_first_teachers_class_or_scores(
    first_class, second_teacher, client, run_tasks
):
    classroom, assignment, attempt = first_class
    code = classroom.join_code
    essay = attempt.responses.get(question__kind=Question.Kind.ESSAY)

    client.post(
        "/admin/classrooms/classroom/",
        {"action": "regenerate_join_codes", "_selected_action": [classroom.pk]},
    )
    client.post(f"/admin/classrooms/classroom/{classroom.pk}/join-code/")
    client.post(f"/admin/quizzes/response/{essay.pk}/mark/", {"points": "1", "_next": "1"})
    client.post(
        "/admin/classrooms/assignment/add/",
        {"classroom": classroom.pk, "quiz": assignment.quiz.pk, "grading_method": "highest"},
    )
    client.post(f"/admin/quizzes/question/{essay.question.pk}/regrade/")
    run_tasks()

    classroom.refresh_from_db()
    essay.refresh_from_db()
    assert classroom.join_code == code
    assert essay.points is None
    assert Assignment.objects.filter(classroom=classroom).count() == 1
    assert not ScoreChange.objects.exists()


def test_posting_another_teachers_class_in_an_assignment_form_is_refused(
    first_class, second_teacher, client
):
    classroom, assignment, _attempt = first_class
    page = client.post(
        "/admin/classrooms/assignment/add/",
        {
            "classroom": classroom.pk,
            "quiz": assignment.quiz.pk,
            "grading_method": "highest",
            "feedback_mode": "deferred",
            "attempts_allowed": "1",
        },
    )
    assert page.status_code == 200
    assert "Select a valid choice" in page.text


def test_regrade_by_another_teacher_leaves_the_first_teachers_attempts_alone(
    first_class, second_teacher, client, run_tasks
):
    _classroom, _assignment, attempt = first_class
    single = attempt.quiz.questions.get(kind=Question.Kind.SINGLE)
    Response.objects.create(
        attempt=attempt, question=single, answer=single.choices.get(is_correct=True).pk, points=1
    )
    single.choices.update(is_correct=False)
    single.choices.filter(text="Wrong").update(is_correct=True)

    client.post(f"/admin/quizzes/question/{single.pk}/regrade/")
    run_tasks()

    assert Response.objects.get(attempt=attempt, question=single).points == Decimal(1)


def test_teachers_have_no_access_to_user_accounts(second_teacher, client):
    assert client.get("/admin/auth/user/").status_code == 403


def test_teachers_group_has_exactly_the_permissions_a_teacher_needs(db):
    permissions = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Teachers").permissions.select_related("content_type")
    }
    content = {
        f"{app}.{action}_{model}"
        for app, model in [
            ("lessons", "lesson"),
            ("lessons", "section"),
            ("quizzes", "quiz"),
            ("quizzes", "question"),
            ("quizzes", "choice"),
        ]
        for action in ("add", "change", "view")
    }
    classes = {
        f"classrooms.{action}_{model}"
        for model in ("classroom", "assignment", "override")
        for action in ("add", "change", "delete", "view")
    }
    assert permissions == content | classes | {
        "classrooms.add_enrollment",
        "classrooms.delete_enrollment",
        "classrooms.view_enrollment",
        "quizzes.view_attempt",
        "quizzes.view_response",
        "quizzes.change_response",
        "quizzes.view_scorechange",
        "quizzes.delete_choice",
    }


def test_a_superuser_sees_every_class_and_attempt(first_class, second_teacher, client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    classes = client.get("/admin/classrooms/classroom/").text
    assert "Orion Group" in classes and "Lyra Group" in classes
    assert "Zelda Zephyr" in client.get("/admin/quizzes/attempt/").text
    assert Classroom.objects.count() == 2
    assert Attempt.objects.count() == 1


def test_a_teacher_of_two_classes_sees_both(first_class, teacher, client):
    ClassroomFactory(name="Vega Group", teachers=[teacher])
    client.force_login(teacher)
    page = client.get("/admin/classrooms/classroom/").text
    assert "Orion Group" in page and "Vega Group" in page
