"""Query budgets: each page asks a fixed number of SQL queries, however big the quiz or class.

Every page is measured in a school of 5 students taking a quiz of 5 questions, then with
50 questions, then with 500 students, and must ask exactly its budget in all three: a
page that asks one query per question or per student gets slow for a real class. When a
change needs a different number, change the budget in the one test, for every size alike.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.factories import TeacherFactory, UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory, EnrollmentFactory
from classrooms.models import Assignment, Enrollment
from lessons.factories import SectionFactory
from quizzes import kinds
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.models import Attempt, Choice, Question, Response

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

# Five kinds, so that any quiz size mixes choice, typed and hand-marked questions.
KINDS = [
    Question.Kind.SINGLE,
    Question.Kind.MULTIPLE,
    Question.Kind.SHORT_TEXT,
    Question.Kind.NUMERIC,
    Question.Kind.ESSAY,
]


@dataclass
class School:
    teacher: object
    student: object  # in the class with everyone else, plus an attempt in progress
    classroom: object
    graded: Assignment  # every student submitted an attempt
    open: Assignment  # `student` is answering it now
    submitted: Attempt  # `student`'s attempt at `graded`
    in_progress: Attempt  # `student`'s attempt at `open`, first three questions answered
    questions: list
    students: int


def make_quiz(size: int):
    """A quiz of `size` questions cycling through KINDS, built in three queries."""
    quiz = QuizFactory()
    section = SectionFactory(lesson=quiz.lesson)
    Question.objects.bulk_create(
        Question(
            quiz=quiz,
            key=f"{quiz.slug}-{n}",
            position=n,
            kind=KINDS[(n - 1) % len(KINDS)],
            prompt=f"Question {n}?",
            explanation="The lesson says so.",
            evidence=section,
            numeric_answer=Decimal(2011),
        )
        for n in range(1, size + 1)
    )
    choices = {
        Question.Kind.SINGLE: [("CNSA", True), ("NASA", False)],
        Question.Kind.MULTIPLE: [("CNSA", True), ("CNES", True), ("NASA", False)],
        Question.Kind.SHORT_TEXT: [("CNSA", True)],
    }
    Choice.objects.bulk_create(
        Choice(question=q, position=p, text=text, is_correct=right)
        for q in quiz.questions.all()
        for p, (text, right) in enumerate(choices.get(q.kind, []), 1)
    )
    return quiz, list(quiz.questions.prefetch_related("choices"))


def right_answer(question):
    """The right answer in its stored form (an essay's is any text)."""
    right = [c.pk for c in question.choices.all() if c.is_correct]
    return {
        Question.Kind.SINGLE: lambda: right[0],
        Question.Kind.MULTIPLE: lambda: right,
        Question.Kind.SHORT_TEXT: lambda: "CNSA",
        Question.Kind.NUMERIC: lambda: "2011",
        Question.Kind.ESSAY: lambda: "The two agencies talk through a hotline.",
    }[question.kind]()


def add_attempts(assignment, students, questions, *, submitted=True, answered=None):
    """One attempt per student, with right answers to the first `answered` questions
    (all by default); essays wait for the teacher, as they do after submitting."""
    now = timezone.now()
    answers = [
        (q, answer, kinds.score(q.answer_key(), answer, q.points))
        for q in questions[:answered]
        for answer in [right_answer(q)]
    ]
    score = sum((points for _q, _a, points in answers if points is not None), Decimal(0))
    attempts = Attempt.objects.bulk_create(
        Attempt(
            quiz=assignment.quiz,
            assignment=assignment,
            user=student,
            started_at=now,
            last_seen_at=now,
            submitted_at=now if submitted else None,
            score=score if submitted else None,
            max_score=sum(q.points for q in questions),
            is_provisional=submitted and any(p is None for _q, _a, p in answers),
        )
        for student in students
    )
    Response.objects.bulk_create(
        Response(attempt=attempt, question=q, answer=answer, points=points, seconds_spent=30)
        for attempt in attempts
        for q, answer, points in answers
    )
    return attempts


def build_school(questions: int, students: int) -> School:
    # No passwords: the clients log in with force_login, and hashing one takes a while.
    teacher = TeacherFactory(password=None)
    student = UserFactory(first_name="Ada", last_name="Budget", password=None)
    quiz, question_list = make_quiz(questions)
    classroom = ClassroomFactory(teachers=[teacher])
    User = get_user_model()
    others = User.objects.bulk_create(
        User(username=f"{classroom.pk}-student-{n}", first_name="Sam", last_name=f"Student {n}")
        for n in range(students - 1)
    )
    Enrollment.objects.bulk_create(
        Enrollment(classroom=classroom, student=s) for s in [student, *others]
    )
    graded = AssignmentFactory(classroom=classroom, quiz=quiz)
    open_ = AssignmentFactory(classroom=classroom, quiz=quiz)
    (submitted,) = add_attempts(graded, [student], question_list)
    add_attempts(graded, others, question_list)
    (in_progress,) = add_attempts(open_, [student], question_list, submitted=False, answered=3)
    return School(
        teacher, student, classroom, graded, open_, submitted, in_progress, question_list, students
    )


SIZES = [
    pytest.param((5, 5), id="5-questions-5-students"),
    pytest.param((50, 5), id="50-questions-5-students"),
    pytest.param((5, 500), id="5-questions-500-students"),
]


@pytest.fixture(scope="module", params=SIZES)
def school(request, django_db_setup, django_db_blocker):
    """A school of each size, built once for every test here (a class of 500 takes a
    couple of seconds) inside a transaction rolled back after the last test, as
    TestCase.setUpTestData does; each test's own changes roll back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_school(*request.param)
        transaction.set_rollback(True)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def question_url(attempt, number):
    return reverse("quizzes:attempt_question", args=[attempt.public_id, number])


def number_of(kind) -> int:
    """The number of the first question of this kind (numbers start at 1)."""
    return KINDS.index(kind) + 1


# Student pages. Every request starts with 2 queries: the session and the user.


@pytest.mark.parametrize(
    "feedback_mode", [Assignment.FeedbackMode.DEFERRED, Assignment.FeedbackMode.IMMEDIATE]
)
def test_question_page_budget(school, django_assert_num_queries, feedback_mode):
    Assignment.objects.filter(pk=school.open.pk).update(feedback_mode=feedback_mode)
    client = logged_in(school.student)
    url = question_url(school.in_progress, 1)  # answered: immediate feedback shows a verdict
    client.get(url)  # warm process-wide caches, as any earlier request would
    # Attempt; all responses; last seen. The question on screen and the quiz's question
    # order come from this process's copy (content_cache.copies), read from the shared cache
    # (the database's cache table here; Redis in production) by the request before.
    with django_assert_num_queries(5):
        page = client.get(url)
    assert "Question 1?" in page.text
    assert ("Correct." in page.text) == (feedback_mode == Assignment.FeedbackMode.IMMEDIATE)


def test_answer_without_javascript_budget(school, django_assert_num_queries):
    client = logged_in(school.student)
    number = number_of(Question.Kind.NUMERIC)
    url = question_url(school.in_progress, number)
    client.get(url)
    # Attempt (the question is this process's copy); then, in a transaction (a savepoint
    # here), one UPDATE locks the attempt while it is open and marks it seen, and one upsert
    # writes the answer. The reply is a redirect: no response is read.
    with django_assert_num_queries(7):
        reply = client.post(url, {"text": "2011"})
    assert reply.status_code == 302
    saved = school.in_progress.responses.get(question=school.questions[number - 1])
    assert saved.points == Decimal(1)


@pytest.mark.parametrize(
    "feedback_mode",
    [
        Assignment.FeedbackMode.DEFERRED,  # the autosave swaps the save status only
        Assignment.FeedbackMode.IMMEDIATE,  # the screen comes back with the verdict
    ],
)
def test_answer_with_htmx_budget(school, django_assert_num_queries, feedback_mode):
    Assignment.objects.filter(pk=school.open.pk).update(feedback_mode=feedback_mode)
    client = logged_in(school.student)
    number = number_of(Question.Kind.NUMERIC)
    url = question_url(school.in_progress, number)
    client.get(url)
    # As without JavaScript; the autosave's reply counts the answers from the upsert, where
    # a checked answer's screen reads every response, for the navigator.
    immediate = feedback_mode == Assignment.FeedbackMode.IMMEDIATE
    with django_assert_num_queries(8 if immediate else 7):
        reply = client.post(url, {"text": "2011"}, **HTMX)
    assert reply.status_code == 200
    if feedback_mode == Assignment.FeedbackMode.IMMEDIATE:
        assert "Correct." in reply.text
    else:
        assert "Answer saved" in reply.text


CACHE_METHODS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr")


@pytest.fixture
def cache_calls(settings, monkeypatch):
    """The cache as in production, apart from the database (Redis there, memory here), with
    sessions read through it; returns the list of the calls made to it."""
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.SESSION_ENGINE = "quizsite.sessions"
    backend, calls = caches["default"], []

    def counting(name):
        call = getattr(backend, name)

        def counted(*args, **kwargs):
            calls.append(name)
            return call(*args, **kwargs)

        return counted

    for name in CACHE_METHODS:
        monkeypatch.setattr(backend, name, counting(name))
    return calls


def test_an_answer_costs_three_statements_and_two_cache_reads(
    school, cache_calls, django_assert_num_queries
):
    """An autosave, as in production apart from the cache's server."""
    client = logged_in(school.student)
    url = question_url(school.in_progress, number_of(Question.Kind.NUMERIC))
    client.get(url)
    cache_calls.clear()
    # The attempt; the locking UPDATE; the upsert (and, in this test's transaction, a
    # SAVEPOINT and its RELEASE around the last two).
    with django_assert_num_queries(5) as queries:
        reply = client.post(url, {"text": "2011"}, **HTMX)
    assert reply.status_code == 200 and "Answer saved" in reply.text
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 3
    assert cache_calls == [
        "get",
        "get",
    ]  # the session and the account; the question is this process's


def test_kept_question_versions_cost_no_query(school, django_assert_num_queries):
    """The assignments keep an older version of every question: their pages ask as many
    queries as before, and show and score the kept versions."""
    for question in school.questions:
        changed = Question.objects.get(pk=question.pk)
        changed.prompt += " (reworded)"
        previous = changed.new_version()
        changed.keep_previous(previous)
    client = logged_in(school.student)
    url = question_url(school.in_progress, 1)
    client.get(url)
    with django_assert_num_queries(5):
        page = client.get(url)
    assert "Question 1?" in page.text and "reworded" not in page.text
    url = question_url(school.in_progress, number_of(Question.Kind.NUMERIC))
    client.get(url)
    with django_assert_num_queries(7):
        assert client.post(url, {"text": "2011"}, **HTMX).status_code == 200
    results = reverse("quizzes:attempt_results", args=[school.submitted.public_id])
    client.get(results)
    with django_assert_num_queries(7):
        assert "reworded" not in client.get(results).text


def test_results_page_budget(school, django_assert_num_queries):
    client = logged_in(school.student)
    url = reverse("quizzes:attempt_results", args=[school.submitted.public_id])
    client.get(url)
    # Attempt; its responses; questions; their choices; the other sections they cite.
    with django_assert_num_queries(7):
        page = client.get(url)
    assert page.text.count("Correct.") == len(school.questions) * 4 // 5


def test_dashboard_budget(school, django_assert_num_queries):
    client = logged_in(school.student)
    url = reverse("classrooms:dashboard")
    client.get(url)
    # Expired attempts to close; assignments; their attempts; overrides; classes.
    with django_assert_num_queries(7):
        page = client.get(url)
    assert "In progress" in page.text
    assert "Submitted, waiting for marking" in page.text


# Teacher pages. Every admin page also reads the teacher's permissions (2 queries).


def test_gradebook_budget(school, django_assert_num_queries):
    client = logged_in(school.teacher)
    url = reverse("admin:classrooms_classroom_gradebook", args=[school.classroom.pk])
    client.get(url)
    # Class; its teachers; assignments; submitted attempts; students.
    with django_assert_num_queries(9):
        page = client.get(url)
    assert page.text.count('<th scope="row">') == school.students


def test_statistics_budget(school, django_assert_num_queries):
    client = logged_in(school.teacher)
    url = reverse("admin:classrooms_assignment_statistics", args=[school.graded.pk])
    client.get(url)
    # Assignment; attempts; quiz; questions; choices; responses; class (for the title).
    with django_assert_num_queries(11):
        page = client.get(url)
    assert f"{school.students} submitted attempts" in page.text


# Other admin pages: the same number of queries for a class of 2 as for a class of 10.


@pytest.fixture
def growing_class(teacher, take_quiz):
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


def test_the_home_page_asks_as_many_queries_for_ten_classes_as_for_two(
    teacher_client, teacher, take_quiz
):
    """The teacher's home lists each class with its students, answers to mark and gradebook."""

    def add_classes(count):
        for _ in range(count):
            classroom = ClassroomFactory(teachers=[teacher])
            quiz = QuizFactory()
            essay = QuestionFactory(quiz=quiz, kind=Question.Kind.ESSAY, choices=[])
            assignment = AssignmentFactory(classroom=classroom, quiz=quiz)
            student = UserFactory()
            EnrollmentFactory(classroom=classroom, student=student)
            take_quiz(assignment, student, {essay: "An essay."})

    add_classes(2)
    count_queries(teacher_client, "/admin/")  # warm the caches (content types, session)
    small = count_queries(teacher_client, "/admin/")
    add_classes(8)
    page = teacher_client.get("/admin/").text
    assert page.count("Gradebook</a>") == 10 and "10 answers to mark" in page
    assert count_queries(teacher_client, "/admin/") == small


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
        "/admin/classrooms/classroom/{classroom}/gradebook.csv",
        "/admin/classrooms/classroom/{classroom}/change/",
    ],
)
def test_admin_page_queries_do_not_grow_with_the_class(teacher_client, growing_class, url):
    classroom, assignment, grow = growing_class
    url = url.format(classroom=classroom.pk, assignment=assignment.pk)
    grow(2)
    count_queries(teacher_client, url)  # warm the caches (content types, session)
    small = count_queries(teacher_client, url)
    grow(8)
    assert count_queries(teacher_client, url) == small
