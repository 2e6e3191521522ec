"""Admin pages issue as many SQL queries for a class of 10 as for a class of 2."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from classrooms.factories import AssignmentFactory, ClassroomFactory, EnrollmentFactory
from quizzes.factories import QuestionFactory, QuizFactory, UserFactory
from quizzes.models import Question


@pytest.fixture
def school(teacher, take_quiz):
    """A class with a choice quiz and an essay quiz; `grow(n)` enrolls n students who take both."""
    classroom = ClassroomFactory(name="Orion Group", teachers=[teacher])
    quiz = QuizFactory()
    single = QuestionFactory(quiz=quiz, position=1)
    essay = QuestionFactory(quiz=quiz, position=2, kind=Question.Kind.ESSAY, choices=[])
    assignments = [AssignmentFactory(classroom=classroom, quiz=quiz) for _ in range(2)]
    right = single.choices.get(is_correct=True).pk

    def grow(count):
        for _ in range(count):
            student = UserFactory(first_name="Sam", last_name="Student")
            EnrollmentFactory(classroom=classroom, student=student)
            for assignment in assignments:
                take_quiz(assignment, student, {single: right, essay: "An essay."})

    return classroom, assignments[0], grow


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    assert page.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/classrooms/classroom/",
        "/admin/classrooms/assignment/",
        "/admin/quizzes/attempt/",
        "/admin/quizzes/response/",
        "/admin/quizzes/response/?waiting=yes",
        "/admin/classrooms/classroom/{classroom}/gradebook/",
        "/admin/classrooms/classroom/{classroom}/gradebook.csv",
        "/admin/classrooms/classroom/{classroom}/change/",
        "/admin/classrooms/assignment/{assignment}/statistics/",
    ],
)
def test_admin_page_queries_do_not_grow_with_the_class(teacher_client, school, url):
    classroom, assignment, grow = school
    url = url.format(classroom=classroom.pk, assignment=assignment.pk)
    grow(2)
    count_queries(teacher_client, url)  # warm the caches (content types, session)
    small = count_queries(teacher_client, url)
    grow(8)
    assert count_queries(teacher_client, url) == small
