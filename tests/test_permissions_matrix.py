"""Who may open what: every URL of the site, requested by six kinds of visitor.

The URL patterns are found by walking the resolver, so a new URL fails
`test_every_url_pattern_is_in_the_matrix` until someone decides who may open it.
Objects in a URL are student A's (A's attempt, class, assignment, answers...).
"""
# The matrix is a table wider than a line: one row per URL pattern, one column per role.
# ruff: noqa: E501

import re
import uuid
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from lti_tool.models import LtiRegistration

from accounts.factories import TeacherFactory, UserFactory
from background.models import Task
from classrooms.factories import AssignmentFactory, ClassroomFactory, EnrollmentFactory
from classrooms.models import RosterImport
from quizzes import kinds
from quizzes.factories import QuestionFactory, QuizFactory
from quizzes.forms import answer_data
from quizzes.models import Attempt, Question

ROLES = ("anonymous", "student_a", "student_b", "teacher_a", "teacher_b", "superuser")

# Outcomes of a GET:
#   ok        200
#   shows     200, showing A's things (A's name, class or answers)
#   scoped    200, showing nothing of A's
#   login     redirect to the login page (the admin's own for /admin/ URLs)
#   redirect  redirect somewhere else
#   missing   the admin's redirect to its index with "… doesn't exist", as for a nonexistent id
#   400, 403, 404, 405   that status
# Every 404, "missing" and "login" is also checked to be exactly what a nonexistent id
# gets, so nobody can probe which ids exist.
#
# Student B is in A's class; teacher A teaches it; teacher B teaches another class.
# Whoever isn't A, A's teacher or a superuser gets "scoped" on every page they may open.
MATRIX_TABLE = """
                                                    anonymous student_a student_b teacher_a teacher_b superuser
# The site
healthz                                             scoped    ok        scoped    ok        scoped    ok
livez                                               scoped    ok        scoped    ok        scoped    ok
favicon                                             redirect  redirect  redirect  redirect  redirect  redirect
robots_txt                                          scoped    ok        scoped    ok        scoped    ok
oembed                                              scoped    ok        scoped    ok        scoped    ok
set_language                                        redirect  redirect  redirect  redirect  redirect  redirect
lessons:lesson_list                                 scoped    ok        scoped    ok        scoped    ok
lessons:lesson_detail                               scoped    ok        scoped    ok        scoped    ok
quizzes:quiz_detail                                 scoped    ok        scoped    ok        scoped    ok
quizzes:quiz_start                                  405       405       405       405       405       405
quizzes:attempt_list                                login     ok        scoped    ok        scoped    ok
quizzes:attempt_detail                              login     redirect  404       404       404       404
quizzes:attempt_question                            login     ok        404       404       404       404
quizzes:attempt_flag                                405       405       405       405       405       405
quizzes:attempt_summary                             login     ok        404       404       404       404
quizzes:attempt_submit                              405       405       405       405       405       405
quizzes:attempt_results                             login     ok        404       404       404       404
classrooms:dashboard                                login     ok        ok        ok        scoped    ok
classrooms:join                                     login     ok        scoped    ok        scoped    ok
classrooms:assignment_start                         login     405       405       405       405       405
# Accounts
signup                                              scoped    ok        scoped    ok        scoped    ok
login                                               scoped    ok        scoped    ok        scoped    ok
logout                                              405       405       405       405       405       405
password_change                                     login     ok        scoped    ok        scoped    ok
password_change_done                                login     ok        scoped    ok        scoped    ok
# Embeds: the lesson is public; the practice quiz answers only POSTs with an embed token
embeds:lesson_embed                                 scoped    ok        scoped    ok        scoped    ok
embeds:practice_start                               405       405       405       405       405       405
embeds:practice_answer                              405       405       405       405       405       405
embeds:practice_question                            405       405       405       405       405       405
embeds:practice_finish                              405       405       405       405       405       405
embeds:practice_continue                            405       405       405       405       405       405
embeds:embed_not_found                              404       404       404       404       404       404
# The LTI tool: a launch comes from an LMS's signed form, a login with its parameters; a
# student's continuation needs the ticket of their own launch.
lti:jwks                                            scoped    ok        scoped    ok        scoped    ok
lti:login_any                                       400       400       400       400       400       400
lti:login                                           400       400       400       400       400       400
lti:launch                                          405       405       405       405       405       405
lti:deep_link                                       405       405       405       405       405       405
lti:continue                                        403       403       403       403       403       403
lti:attempt_question                                405       405       405       405       405       405
lti:attempt_answer                                  405       405       405       405       405       405
lti:attempt_submit                                  405       405       405       405       405       405
# The admin site
admin:index                                         login     login     login     shows     scoped    shows
admin:login                                         scoped    ok        scoped    redirect  redirect  redirect
admin/login/                                        scoped    ok        scoped    redirect  redirect  redirect
admin:logout                                        redirect  redirect  redirect  405       405       405
admin:password_change                               login     login     login     ok        scoped    ok
admin/password_change/                              login     login     login     ok        scoped    ok
admin:password_change_done                          login     login     login     ok        scoped    ok
admin:autocomplete                                  login     login     login     shows     scoped    shows
admin:jsi18n                                        login     login     login     ok        scoped    ok
# Our own "View on site" answers before Django's (its row is the same): a 404 outside
# the user's admin, and for attempts, whose pages only their student may open.
admin:view_on_site                                  login     login     login     404       404       404
admin/r/<path:content_type_id>/<path:object_id>/    login     login     login     404       404       404
admin:app_list                                      login     login     login     ok        scoped    ok
admin/(?P<url>.*)$                                  login     login     login     404       404       404
# Classes: teacher B's admin doesn't know A's class
admin:classrooms_classroom_changelist               login     login     login     shows     scoped    shows
admin:classrooms_classroom_add                      login     login     login     ok        scoped    ok
admin:classrooms_classroom_change                   login     login     login     shows     missing   shows
admin/classrooms/classroom/<path:object_id>/        login     login     login     redirect  redirect  redirect
admin:classrooms_classroom_history                  login     login     login     shows     missing   shows
admin:classrooms_classroom_delete                   login     login     login     shows     missing   shows
admin:classrooms_classroom_gradebook                login     login     login     shows     404       shows
admin:classrooms_classroom_gradebook_csv            login     login     login     shows     404       shows
admin:classrooms_classroom_roster                   login     login     login     shows     404       shows
admin:classrooms_classroom_roster_progress          login     login     login     shows     404       shows
admin:classrooms_classroom_join_code                login     login     login     shows     404       shows
admin:classrooms_classroom_student_add              login     login     login     shows     404       shows
admin:classrooms_classroom_student_password         login     login     login     shows     404       shows
admin:classrooms_classroom_student_remove           login     login     login     shows     404       shows
admin:classrooms_assignment_changelist              login     login     login     shows     scoped    shows
admin:classrooms_assignment_add                     login     login     login     ok        scoped    ok
admin:classrooms_assignment_change                  login     login     login     shows     missing   shows
admin/classrooms/assignment/<path:object_id>/       login     login     login     redirect  redirect  redirect
admin:classrooms_assignment_history                 login     login     login     shows     missing   shows
admin:classrooms_assignment_delete                  login     login     login     shows     missing   shows
admin:classrooms_assignment_statistics              login     login     login     shows     404       shows
admin:classrooms_assignment_versions                 login     login     login     shows     404       shows
# Background tasks: each teacher's own, read-only; the world's is teacher A's
admin:background_task_changelist                    login     login     login     shows     scoped    shows
admin:background_task_add                           login     login     login     403       403       403
admin:background_task_change                        login     login     login     shows     404       shows
admin/background/task/<path:object_id>/             login     login     login     redirect  redirect  redirect
admin:background_task_history                       login     login     login     shows     missing   shows
admin:background_task_delete                        login     login     login     403       403       403
# Attempts and answers: read-only to teachers, scores change on the marking page
admin:quizzes_attempt_changelist                    login     login     login     shows     scoped    shows
admin:quizzes_attempt_add                           login     login     login     403       403       403
admin:quizzes_attempt_change                        login     login     login     shows     missing   shows
admin/quizzes/attempt/<path:object_id>/             login     login     login     redirect  redirect  redirect
admin:quizzes_attempt_history                       login     login     login     shows     missing   shows
admin:quizzes_attempt_delete                        login     login     login     403       403       shows
admin:quizzes_response_changelist                   login     login     login     shows     scoped    shows
admin:quizzes_response_add                          login     login     login     403       403       403
admin:quizzes_response_change                       login     login     login     redirect  redirect  redirect
admin/quizzes/response/<path:object_id>/            login     login     login     redirect  redirect  redirect
admin:quizzes_response_history                      login     login     login     shows     missing   shows
admin:quizzes_response_delete                       login     login     login     403       403       403
admin:quizzes_response_mark                         login     login     login     shows     404       shows
admin:quizzes_response_accept                       login     login     login     redirect  404       redirect
admin:quizzes_response_queue                        login     login     login     redirect  scoped    redirect
# Quizzes: every teacher reads, assigns and duplicates them; A's quiz is teacher A's, so
# teacher B gets its pages read-only and a 403 on the pages that change it. Lessons are
# shared: every teacher may edit them. Nobody but superusers deletes either.
admin:quizzes_quiz_changelist                       login     login     login     ok        scoped    ok
admin:quizzes_quiz_add                              login     login     login     ok        scoped    ok
admin:quizzes_quiz_change                           login     login     login     ok        scoped    ok
admin/quizzes/quiz/<path:object_id>/                login     login     login     redirect  redirect  redirect
admin:quizzes_quiz_history                          login     login     login     ok        scoped    ok
admin:quizzes_quiz_delete                           login     login     login     403       403       ok
admin:quizzes_quiz_duplicate                        login     login     login     ok        ok        ok
admin:quizzes_quiz_import                           login     login     login     ok        403       ok
admin:quizzes_quiz_export                           login     login     login     ok        ok        ok
admin:quizzes_question_changelist                   login     login     login     ok        scoped    ok
admin:quizzes_question_add                          login     login     login     ok        scoped    ok
admin:quizzes_question_change                       login     login     login     ok        scoped    ok
admin/quizzes/question/<path:object_id>/            login     login     login     redirect  redirect  redirect
admin:quizzes_question_history                      login     login     login     ok        scoped    ok
admin:quizzes_question_delete                       login     login     login     403       403       403
admin:quizzes_question_regrade                      login     login     login     shows     403       shows
admin:quizzes_question_kind                         login     login     login     ok        403       ok
admin:lessons_lesson_changelist                     login     login     login     ok        scoped    ok
admin:lessons_lesson_add                            login     login     login     ok        scoped    ok
admin:lessons_lesson_change                         login     login     login     ok        scoped    ok
admin/lessons/lesson/<path:object_id>/              login     login     login     redirect  redirect  redirect
admin:lessons_lesson_history                        login     login     login     ok        scoped    ok
admin:lessons_lesson_delete                         login     login     login     403       403       ok
admin:lessons_section_changelist                    login     login     login     ok        scoped    ok
admin:lessons_section_add                           login     login     login     ok        scoped    ok
admin:lessons_section_change                        login     login     login     ok        scoped    ok
admin/lessons/section/<path:object_id>/             login     login     login     redirect  redirect  redirect
admin:lessons_section_history                       login     login     login     ok        scoped    ok
admin:lessons_section_delete                        login     login     login     403       403       ok
# LMS registrations (LTI 1.3): superusers only
admin:lti_tool_ltiregistration_changelist           login     login     login     403       403       ok
admin:lti_tool_ltiregistration_add                  login     login     login     403       403       ok
admin:lti_tool_ltiregistration_change               login     login     login     403       403       ok
admin/lti_tool/ltiregistration/<path:object_id>/    login     login     login     redirect  redirect  redirect
admin:lti_tool_ltiregistration_history              login     login     login     403       403       ok
admin:lti_tool_ltiregistration_delete               login     login     login     403       403       ok
# User accounts: superusers only; teachers manage rosters on the class page
admin:auth_user_changelist                          login     login     login     403       403       shows
admin:auth_user_add                                 login     login     login     403       403       ok
admin:auth_user_change                              login     login     login     403       403       shows
admin/auth/user/<path:object_id>/                   login     login     login     redirect  redirect  redirect
admin:auth_user_history                             login     login     login     403       403       shows
admin:auth_user_delete                              login     login     login     403       403       shows
admin:auth_user_password_change                     login     login     login     403       403       shows
admin:auth_group_changelist                         login     login     login     403       403       ok
admin:auth_group_add                                login     login     login     403       403       ok
admin:auth_group_change                             login     login     login     403       403       ok
admin/auth/group/<path:object_id>/                  login     login     login     redirect  redirect  redirect
admin:auth_group_history                            login     login     login     403       403       ok
admin:auth_group_delete                             login     login     login     403       403       ok
"""

ROLE_HEADER, *ROWS = [
    line for line in MATRIX_TABLE.splitlines() if line.strip() and not line.startswith("#")
]
MATRIX = {row.split()[0]: tuple(row.split()[1:]) for row in ROWS}


def test_the_matrix_has_a_column_per_role_and_a_row_per_pattern():
    assert tuple(ROLE_HEADER.split()) == ROLES
    assert all(len(outcomes) == len(ROLES) for outcomes in MATRIX.values())
    assert len(MATRIX) == len(ROWS)


def walk(patterns, prefix="", namespace=""):
    """(key, route, pattern) for every URL pattern, included ones too; the key is the
    pattern's name, or its route when it has none. Patterns of the same name share a row:
    reverse() reaches the first, which shadows the others."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else ""
            yield name or route, route, pattern


def url_patterns() -> dict:
    return {key: (route, pattern) for key, route, pattern in walk(get_resolver().url_patterns)}


def test_every_url_pattern_is_in_the_matrix():
    keys = set(url_patterns())
    assert sorted(keys - set(MATRIX)) == [], "URL patterns nobody decided about"
    assert sorted(set(MATRIX) - keys) == [], "rows for URL patterns that no longer exist"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Student A's things, made once for the module since its tests only read them (in a
    transaction rolled back at the end; each test also rolls back its own changes)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_world()
        transaction.set_rollback(True)


def make_world() -> dict:
    """A class (with student B in it too), an assignment, an attempt in progress, a
    submitted attempt with an essay waiting for marking."""
    teacher_a = TeacherFactory(username="teacher-a")
    teacher_b = TeacherFactory(username="teacher-b")
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    student_a = UserFactory(username="alice-a", first_name="Alice", last_name="Aldrin")
    student_b = UserFactory(username="bob-b")
    classroom = ClassroomFactory(name="Apollo Class", teachers=[teacher_a])
    other_classroom = ClassroomFactory(name="Gemini Class", teachers=[teacher_b])
    EnrollmentFactory(classroom=classroom, student=student_a)
    EnrollmentFactory(classroom=classroom, student=student_b)
    quiz = QuizFactory(title="Wolf Amendment quiz", owners=[teacher_a])
    single = QuestionFactory(quiz=quiz, position=1, choices=[("CNSA", True), ("NASA", False)])
    essay = QuestionFactory(quiz=quiz, position=2, kind=Question.Kind.ESSAY, choices=[])
    gap_fields, gap_choices = kinds.get(Question.Kind.FILL_BLANKS).example()
    gaps = QuestionFactory(
        quiz=quiz, position=3, kind=Question.Kind.FILL_BLANKS, choices=gap_choices, **gap_fields
    )
    assignment = AssignmentFactory(classroom=classroom, quiz=quiz, attempts_allowed=3)
    submitted = Attempt.objects.create(
        quiz=quiz, assignment=assignment, user=student_a, max_score=quiz.max_score
    )
    submitted.save_answer(single, single.choices.get(is_correct=True).pk)
    submitted.save_answer(essay, "Alice's essay on the dialogue")
    submitted.save_answer(gaps, gaps.kind_rules.sample_answers(gaps.answer_key())[0])
    submitted.submit()
    # The key changed since, so a regrade would change A's score (and name A).
    single.choices.filter(text="CNSA").update(is_correct=False)
    single.choices.filter(text="NASA").update(is_correct=True)
    in_progress = Attempt.objects.create(
        quiz=quiz, assignment=assignment, user=student_a, max_score=quiz.max_score
    )
    in_progress.save_answer(single, single.choices.get(is_correct=False).pk)
    return {
        "lti_registration": LtiRegistration.objects.create(
            name="School LMS",
            issuer="https://lms.school.example",
            client_id="orbit",
            auth_url="https://lms.school.example/auth",
            token_url="https://lms.school.example/token",
            keyset_url="https://lms.school.example/jwks",
        ),
        "users": dict(
            zip(ROLES[1:], [student_a, student_b, teacher_a, teacher_b, superuser], strict=True)
        ),
        "classroom": classroom,
        "other_classroom": other_classroom,
        "assignment": assignment,
        "quiz": quiz,
        "question": single,
        "gaps": gaps,
        "submitted": submitted,
        "in_progress": in_progress,
        "roster_import": RosterImport.objects.create(
            classroom=classroom, started_by=teacher_a, status=RosterImport.Status.FINISHED
        ),
        "response": submitted.responses.get(question=essay),
        "task": Task.objects.create(
            title=f"Move {assignment} to the current question versions",
            started_by=teacher_a,
            work="classrooms.tasks.move_to_current_versions",
            status=Task.Status.FINISHED,
        ),
    }


# Words that only show where A's own work or class is shown.
A_MARKERS = ("alice", "Apollo Class", "Alice's essay")

NO_SUCH_ID = "987654"
NO_SUCH_UUID = uuid.UUID("00000000-0000-4000-8000-000000000000")


def admin_object(world, key):
    """A's object that an admin URL is about: admin:<app>_<model>_<page>, or for unnamed
    patterns admin/<app>/<model>/..."""
    objects = {
        "background.task": world["task"],
        "classrooms.classroom": world["classroom"],
        "classrooms.assignment": world["assignment"],
        "quizzes.attempt": world["submitted"],
        "quizzes.response": world["response"],
        "quizzes.quiz": world["quiz"],
        "quizzes.question": world["question"],
        "lessons.lesson": world["quiz"].lesson,
        "lessons.section": world["question"].evidence,
        "auth.user": world["users"]["student_a"],
        "auth.group": Group.objects.get(name="Teachers"),
        "lti_tool.ltiregistration": world["lti_registration"],
    }
    if not key.startswith("admin:"):
        return objects[".".join(key.split("/")[1:3])]
    # admin:<app>_<model>_<page>, where an app's label may have "_" in it (lti_tool)
    page = key.removeprefix("admin:")
    (found,) = [
        obj for label, obj in objects.items() if page.startswith(label.replace(".", "_") + "_")
    ]
    return found


def url_kwargs(key, route, world, missing=False) -> dict:
    """Fill a URL's arguments with A's objects, or with ids that exist nowhere."""
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
    names = [a or b for a, b in names]
    lesson = world["quiz"].lesson
    values = {}
    for name in names:
        if name == "slug":
            value = lesson.slug if key.startswith(("lessons:", "embeds:")) else world["quiz"].slug
            values[name] = "no-such-slug" if missing else value
        elif name == "public_id":
            attempt = world["submitted" if key.endswith("results") else "in_progress"]
            values[name] = NO_SUCH_UUID if missing else attempt.public_id
        elif name == "number":
            values[name] = 1
        elif name == "import_id":  # only the teacher who started it sees an import
            values[name] = NO_SUCH_ID if missing else world["roster_import"].pk
        elif name == "student_id":
            values[name] = NO_SUCH_ID if missing else world["users"]["student_a"].pk
        elif name == "pk":  # assignment_start
            values[name] = NO_SUCH_ID if missing else world["assignment"].pk
        elif name == "object_id" and key.startswith(("admin:view_on_site", "admin/r/")):
            values[name] = NO_SUCH_ID if missing else world["submitted"].pk
        elif name in ("object_id", "id"):
            values[name] = NO_SUCH_ID if missing else admin_object(world, key).pk
        elif name == "content_type_id":
            values[name] = ContentType.objects.get_for_model(Attempt).pk
        elif name in ("ticket", "registration_uuid"):  # never an existing one
            values[name] = NO_SUCH_UUID
        elif name == "uidb64":
            values[name] = urlsafe_base64_encode(force_bytes(world["users"]["student_a"].pk))
        elif name == "token":
            values[name] = "set-password"
        elif name == "app_label":
            values[name] = "classrooms"
        elif name in ("path", "url"):
            values[name] = "no-such-page/"
        else:
            raise AssertionError(f"no value for <{name}> in {route}: add one to url_kwargs")
    return values


# Query strings some pages need to do their work.
QUERIES = {
    "admin:autocomplete": lambda _world: (
        "?app_label=classrooms&model_name=assignment&field_name=classroom"
    ),
    "oembed": lambda world: f"?url=http://testserver{world['quiz'].lesson.get_absolute_url()}",
}


def url_for(key, route, world, missing=False) -> str:
    kwargs = url_kwargs(key, route, world, missing)
    if "/" not in key:
        url = reverse(key, kwargs=kwargs)
    else:  # an unnamed pattern: put the values into its route
        url = "/" + re.sub(
            r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)",
            lambda m: str(kwargs[m[1] or m[2]]),
            route,
        ).strip("^$")
    return url + QUERIES[key](world) if key in QUERIES else url


@pytest.fixture(scope="module")
def visitors(world, django_db_blocker) -> dict:
    """A browser for each role, logged in as that role's user, for the whole module."""
    handler = Client().handler
    result = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            result[role] = Client()
            # One handler for all: loading the middleware (WhiteNoise scans every static
            # file) for each new Client would take most of this module's time.
            result[role].handler = handler
            if role != "anonymous":
                result[role].force_login(world["users"][role])
    return result


def observe(client, url) -> tuple[str, str]:
    """What the visitor got, in the matrix's words, and the page they ended on."""
    response = client.get(url)
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        if target in (reverse("login"), reverse("admin:login")):
            return "login", target
        if target == reverse("admin:index") and not url.startswith(reverse("admin:login")):
            followed = client.get(response["Location"]).text
            if "doesn’t exist" in followed:
                return "missing", followed
        return "redirect", target
    if status == 200:
        shows_a = any(marker.lower() in response.text.lower() for marker in A_MARKERS)
        return ("shows" if shows_a else "scoped"), response.text
    return str(status), response.content.decode(errors="replace")


def same_page(page: str, other: str, ids: dict, other_ids: dict) -> bool:
    """Whether two pages are the same but for the ids asked about and per-request tokens."""

    def normal(text):
        text = re.sub(r'(nonce="|csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]*', "", text)
        # The admin names the id it was asked for ("ID “7” doesn't exist"), as URLs do. Both
        # pages lose both ids, since either may also be the id of something the visitor owns
        # (the home page links to their own classes).
        for values in (ids, other_ids):
            for name, value in values.items():
                text = re.sub(rf"(?<=[“/]){re.escape(str(value))}(?=[”/])", name, text)
        return text

    return normal(page) == normal(other)


def fits(outcome: str, expected: str) -> bool:
    return outcome == expected or (expected == "ok" and outcome in ("shows", "scoped"))


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_matrix(key, world, visitors, db):
    route, _pattern = url_patterns()[key]
    url = url_for(key, route, world)
    expected = dict(zip(ROLES, MATRIX[key], strict=True))
    observed = {role: observe(visitors[role], url) for role in ROLES}
    wrong = {
        role: f"got {observed[role][0]}, want {expected[role]}"
        for role in ROLES
        if not fits(observed[role][0], expected[role])
    }
    assert not wrong, f"{url}: {wrong}"

    # Nobody may tell A's objects from ones that don't exist.
    nowhere = url_for(key, route, world, missing=True)
    for role in ROLES:
        if expected[role] in ("404", "missing", "login") and nowhere != url:
            outcome, page = observe(visitors[role], nowhere)
            assert outcome == expected[role], f"{role} on {nowhere}: {outcome}"
            ids = url_kwargs(key, route, world), url_kwargs(key, route, world, missing=True)
            assert same_page(observed[role][1], page, *ids), f"{role}: {url} differs from {nowhere}"


def test_view_on_site_still_opens_shared_pages(world, visitors, db):
    lesson = world["quiz"].lesson
    content_type = ContentType.objects.get_for_model(lesson)
    url = reverse("admin:view_on_site", args=[content_type.pk, lesson.pk])
    response = visitors["teacher_b"].get(url)
    assert response.status_code == 302
    assert response["Location"].endswith(lesson.get_absolute_url())


STUDENT_PAGES = ("student_password", "student_remove")


@pytest.mark.parametrize("page", STUDENT_PAGES)
def test_another_teachers_student_answers_as_a_nonexistent_id(page, world, visitors, db):
    """Teacher B asks about A (who is in A's class, not B's) through B's own class: the
    answer is exactly the one an id that exists nowhere gets."""
    name = f"admin:classrooms_classroom_{page}"
    own_class = world["other_classroom"].pk
    student_a = world["users"]["student_a"].pk
    client = visitors["teacher_b"]
    theirs = client.get(reverse(name, args=[own_class, student_a]))
    nobody = client.get(reverse(name, args=[own_class, NO_SUCH_ID]))
    assert theirs.status_code == nobody.status_code == 404
    ids = {"student": student_a}, {"student": NO_SUCH_ID}
    assert same_page(theirs.text, nobody.text, *ids)


@pytest.mark.parametrize("page", STUDENT_PAGES)
def test_nobody_else_can_give_A_a_password_or_remove_A(page, world, visitors, db):
    student_a = world["users"]["student_a"]
    classes = (world["classroom"].pk, world["other_classroom"].pk)
    for role in ("anonymous", "student_a", "student_b", "teacher_b"):
        for classroom in classes:
            url = reverse(f"admin:classrooms_classroom_{page}", args=[classroom, student_a.pk])
            post = visitors[role].post(url)
            if role == "teacher_b":
                assert post.status_code == 404, url
            else:
                assert urlsplit(post["Location"]).path == reverse("admin:login")
    password = student_a.password
    student_a.refresh_from_db()
    assert student_a.password == password
    assert world["classroom"].enrollments.filter(student=student_a).exists()


# POSTs by the wrong visitor change nothing.

WRONG_FOR_ATTEMPT = ("anonymous", "student_b", "teacher_a", "teacher_b", "superuser")


@pytest.mark.parametrize("role", WRONG_FOR_ATTEMPT)
def test_nobody_else_can_answer_flag_or_submit_As_attempt(role, world, visitors, db):
    attempt = world["in_progress"]
    question = world["question"]
    right = question.choices.get(is_correct=True).pk
    answer = answer_data(attempt, question, right)  # what A's own page would post
    args = [attempt.public_id, 1]
    client = visitors[role]
    posts = [
        client.post(reverse("quizzes:attempt_question", args=args), answer),
        client.post(reverse("quizzes:attempt_flag", args=args)),
        client.post(reverse("quizzes:attempt_submit", args=args[:1])),
        client.post(
            reverse("quizzes:attempt_question", args=args),
            answer,
            HTTP_HX_REQUEST="true",
        ),
    ]
    # Signed out, the login page (or for htmx a 401): the same for any attempt id.
    refused = [302, 302, 302, 401] if role == "anonymous" else [404] * len(posts)
    assert [post.status_code for post in posts] == refused
    attempt.refresh_from_db()
    response = attempt.responses.get(question=question)
    assert attempt.submitted_at is None
    assert response.answer != right and not response.flagged


@pytest.mark.parametrize("role", WRONG_FOR_ATTEMPT)
def test_nobody_else_can_fill_in_the_blanks_of_As_attempt(role, world, visitors, db):
    attempt, question = world["in_progress"], world["gaps"]
    right = question.kind_rules.sample_answers(question.answer_key())[0]
    url = reverse("quizzes:attempt_question", args=[attempt.public_id, 3])
    posted = visitors[role].post(url, answer_data(attempt, question, right))
    assert posted.status_code == (302 if role == "anonymous" else 404)
    assert not attempt.responses.filter(question=question).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("teacher_a", 404), ("teacher_b", 404), ("superuser", 404)],
)
def test_only_the_class_can_start_its_assignment(role, status, world, visitors, db):
    url = reverse("classrooms:assignment_start", args=[world["assignment"].pk])
    assert visitors[role].post(url).status_code == status
    assert Attempt.objects.filter(assignment=world["assignment"]).count() == 2  # A's two


def test_an_embed_token_opens_only_anonymous_practice_attempts(world, visitors, db):
    """Even a validly signed token naming A's graded attempt reaches nothing."""
    from embeds import tokens

    attempt = world["in_progress"]
    token = tokens.make_token(attempt.public_id)
    slug = world["quiz"].lesson.slug
    choice = world["question"].choices.first().pk
    answer = {
        "embed_token": token,
        "number": "1",
        **answer_data(attempt, world["question"], choice),
    }
    for name in ("practice_answer", "practice_question", "practice_finish", "practice_continue"):
        response = visitors["anonymous"].post(reverse(f"embeds:{name}", args=[slug]), answer)
        assert response.status_code == 404, name
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert attempt.responses.get().answer == world["question"].choices.get(is_correct=False).pk


@pytest.mark.parametrize("role", ["anonymous", "student_a", "student_b"])
def test_students_posting_to_the_admin_are_sent_to_log_in(role, world, visitors, db):
    classroom, response = world["classroom"], world["response"]
    code = classroom.join_code
    posts = [
        visitors[role].post(
            reverse("admin:quizzes_response_mark", args=[response.pk]), {"points": "1"}
        ),
        visitors[role].post(reverse("admin:classrooms_classroom_join_code", args=[classroom.pk])),
        visitors[role].post(
            reverse("admin:classrooms_classroom_change", args=[classroom.pk]),
            {"name": "Renamed", "teachers": [world["users"]["student_a"].pk]},
        ),
    ]
    assert all(urlsplit(post["Location"]).path == reverse("admin:login") for post in posts)
    classroom.refresh_from_db()
    response.refresh_from_db()
    assert (classroom.name, classroom.join_code, response.points) == ("Apollo Class", code, None)
