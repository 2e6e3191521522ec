"""This app as an LTI 1.3 tool, launched from an LMS the tests run (tests/lti_platform.py,
on lti1p3platform): login, launch, the student's attempt, the grade in the LMS's gradebook,
deep linking, and the launches refused."""

import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from urllib.parse import urlsplit

import jwt as pyjwt
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from lti_tool.models import Key, LtiUser

from classrooms.models import Assignment, Classroom, Enrollment
from embeds import tokens
from lti.models import Activity
from quizzes import marking
from quizzes.factories import QuestionFactory
from quizzes.forms import answer_data
from quizzes.models import Attempt, Question
from tests.lti_platform import INSTRUCTOR, LEARNER, Platform, member, new_key_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform():
    lms = Platform()
    yield lms
    lms.close()


@pytest.fixture
def registration(platform):
    return platform.register_in_tool()


def launch(client, platform, registration, user="s-1", roles=(LEARNER,), **options):
    """Log in from the platform, then post its launch: the tool's reply, and the form."""
    login = platform.login_url(reverse("lti:login", args=[registration.uuid]), user)
    to_platform = client.get(login)
    assert to_platform.status_code == 302, to_platform.content
    platform.trust_tool(Key.objects.as_jwks())
    form, launch_url = platform.launch_data(to_platform["Location"], user, list(roles), **options)
    return client.post(launch_url.removeprefix(platform.tool), form), form


def take_quiz(client, attempt, right=True, questions=None):
    """Answer the quiz's (first) questions, each with a right or a wrong choice, and submit."""
    for number, question in enumerate(list(attempt.questions())[:questions], 1):
        choice = question.choices.filter(is_correct=right).first()
        url = reverse("quizzes:attempt_question", args=[attempt.public_id, number])
        client.post(url, answer_data(attempt, question, choice.pk))
    client.post(reverse("quizzes:attempt_submit", args=[attempt.public_id]))


def pick(client, platform, registration, slug):
    """A teacher's deep-linking launch, then their choice of the quiz `slug`: the picker
    page and the tool's answer."""
    picker, _ = launch(
        client, platform, registration, user="t-1", roles=(INSTRUCTOR,), deep_link=True
    )
    picking = re.search(r'name="picking" value="([^"]+)"', picker.text)[1]
    return picker, client.post(reverse("lti:deep_link"), {"picking": picking, "quiz": slug})


def test_a_students_launch_opens_their_attempt_and_the_grade_reaches_the_lms(
    client, platform, registration, quiz, run_tasks
):
    quiz.questions.update(shuffle=False)
    reply, _form = launch(client, platform, registration, custom={"quiz": quiz.slug})
    assert reply.status_code == 302 and "/lti/continue/" in reply["Location"]
    opened = client.get(reply["Location"])
    attempt = Attempt.objects.get()
    assert opened["Location"] == attempt.get_absolute_url()

    # The course became a class, the student its member from the LMS, the activity its
    # assignment.
    classroom = Classroom.objects.get(name="Space science, year 10")
    assert attempt.assignment == Activity.objects.get().assignment
    assert attempt.assignment.classroom == classroom
    enrollment = Enrollment.objects.get(classroom=classroom)
    assert enrollment.origin == Enrollment.Origin.LMS and enrollment.student == attempt.user
    assert not attempt.user.is_staff and not attempt.user.has_usable_password()
    assert client.get("/admin/").status_code == 302  # LTI users never reach the admin

    take_quiz(client, attempt)
    assert platform.scores == []  # sent by the worker, not by the page
    run_tasks()
    (score,) = platform.scores
    assert score["lineitem"] == "/lineitems/1" and score["userId"] == "s-1"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (2.0, 2.0)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")


def test_a_grade_waits_as_pending_until_the_teacher_marks_it(
    client, platform, registration, quiz, teacher, run_tasks
):
    essay = QuestionFactory(quiz=quiz, position=3, kind=Question.Kind.ESSAY, choices=[])
    reply, _ = launch(client, platform, registration, custom={"quiz": quiz.slug})
    client.get(reply["Location"])
    attempt = Attempt.objects.get()
    url = reverse("quizzes:attempt_question", args=[attempt.public_id, 3])
    client.post(url, {"text": "The ban limits NASA, not the dialogue."})
    take_quiz(client, attempt, questions=2)
    run_tasks()
    assert [(s["scoreGiven"], s["gradingProgress"]) for s in platform.scores] == [(2.0, "Pending")]

    marking.mark(attempt.responses.get(question=essay), Decimal(1), by=teacher)
    run_tasks()
    latest = platform.scores[-1]
    assert len(platform.scores) == 2
    assert (latest["scoreGiven"], latest["scoreMaximum"]) == (3.0, 3.0)
    assert latest["gradingProgress"] == "FullyGraded"


def test_a_grade_the_lms_refuses_is_sent_again_later(
    client, platform, registration, quiz, run_tasks
):
    reply, _ = launch(client, platform, registration, custom={"quiz": quiz.slug})
    client.get(reply["Location"])
    take_quiz(client, Attempt.objects.get())
    platform.scores_refused = 1
    run_tasks()
    assert platform.scores == []
    assert DBTaskResult.objects.failed().count() == 1  # the refused send, for the logs
    (later,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert later.run_after > timezone.now() + timedelta(seconds=50)

    DBTaskResult.objects.filter(pk=later.pk).update(run_after=timezone.now())
    run_tasks()
    (score,) = platform.scores
    assert score["scoreGiven"] == 2.0


def test_without_a_column_in_the_lms_the_tool_makes_one(
    client, platform, registration, quiz, run_tasks
):
    reply, _ = launch(client, platform, registration, custom={"quiz": quiz.slug}, column=False)
    client.get(reply["Location"])
    take_quiz(client, Attempt.objects.get())
    run_tasks()
    (column,) = platform.lineitems
    assert column["label"] == "Space basics" and column["resourceLinkId"] == "link-1"
    (score,) = platform.scores
    assert score["lineitem"] == urlsplit(column["id"]).path and score["scoreGiven"] == 2.0


def test_a_new_key_signs_once_made_and_the_old_one_stays_published(
    client, platform, registration, quiz
):
    launch(client, platform, registration, custom={"quiz": quiz.slug})  # the first key
    call_command("rotate_keys", stdout=StringIO())
    newest = Key.objects.latest()
    published = client.get(reverse("lti:jwks")).json()["keys"]
    assert len(published) == 2 and newest.as_jwk() in published
    _picker, answer = pick(client, platform, registration, quiz.slug)
    jwt = re.search(r'name="JWT" value="([^"]+)"', answer.text)[1]
    assert pyjwt.get_unverified_header(jwt)["kid"] == newest.as_jwk()["kid"]


def test_a_teachers_launch_brings_in_the_courses_roster(
    client, platform, registration, quiz, run_tasks
):
    platform.members = [
        member("t-1", INSTRUCTOR, "Tess Teacher"),
        member("s-1", LEARNER, "Ada"),
        member("s-2", LEARNER, "Ben"),
        member("s-3", LEARNER, "Cy", status="Inactive"),
    ]
    launch(
        client, platform, registration, user="t-1", roles=(INSTRUCTOR,), custom={"quiz": quiz.slug}
    )
    run_tasks()
    classroom = Classroom.objects.get()
    students = {user.first_name for user in classroom.students.all()}
    assert students == {"Ada", "Ben"}  # Cy is no longer active in the course
    assert [user.lti_users.get().sub for user in classroom.teachers.all()] == ["t-1"]

    # Ben's first launch finds the account the roster made, by the LMS's user id.
    reply, _ = launch(client, platform, registration, user="s-2", custom={"quiz": quiz.slug})
    client.get(reply["Location"])
    assert Attempt.objects.get().user.first_name == "Ben"
    assert classroom.students.count() == 2

    platform.members[2]["status"] = "Inactive"  # Ben leaves the course
    launch(
        client, platform, registration, user="t-1", roles=(INSTRUCTOR,), custom={"quiz": quiz.slug}
    )
    run_tasks()
    assert {user.first_name for user in classroom.students.all()} == {"Ada"}
    assert Attempt.objects.count() == 1  # his attempt stays


def test_a_student_added_here_to_an_lms_class_sends_no_grade(
    client, platform, registration, quiz, student, run_tasks
):
    from django_tasks_db.models import DBTaskResult

    from classrooms.models import Enrollment

    reply, _ = launch(client, platform, registration, custom={"quiz": quiz.slug})
    assignment = Activity.objects.get().assignment
    Enrollment.objects.create(classroom=assignment.classroom, student=student)
    client.force_login(student)
    client.post(reverse("classrooms:assignment_start", args=[assignment.pk]))
    take_quiz(client, Attempt.objects.get(user=student))
    run_tasks()
    assert platform.scores == []  # the LMS knows no such student
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_next_launch_finds_the_same_account_and_attempt(client, platform, registration, quiz):
    first, _ = launch(client, platform, registration, custom={"quiz": quiz.slug})
    client.get(first["Location"])
    client.logout()
    again, _ = launch(client, platform, registration, custom={"quiz": quiz.slug})
    client.get(again["Location"])
    attempt = Attempt.objects.get()  # resumed, not a second one
    assert attempt.user.lti_users.get().sub == "s-1"
    other, _ = launch(client, platform, registration, user="s-2", custom={"quiz": quiz.slug})
    client.get(other["Location"])
    assert Attempt.objects.count() == 2  # another LMS user is another account


def test_two_launches_at_once_make_one_account(client, platform, registration, quiz):
    """Both read the LMS user before either made the account (a double click): the second
    finds the first's account when it reads again under the lock."""
    from lti.launches import account_of

    launch(client, platform, registration, custom={"quiz": quiz.slug})
    lti_user = get_user_model().objects.get().lti_users.get()
    seen_by_both = LtiUser.objects.get(pk=lti_user.pk)
    seen_by_both.auth_user = None  # as the second launch read it, a moment before
    assert account_of(seen_by_both) == lti_user.auth_user
    assert get_user_model().objects.count() == 1


def test_a_launch_link_works_once(client, platform, registration, quiz):
    reply, _ = launch(client, platform, registration, custom={"quiz": quiz.slug})
    assert client.get(reply["Location"]).status_code == 302
    client.logout()
    again = client.get(reply["Location"])
    assert again.status_code == 403 and "used already" in again.text


def login_in_frame(client, platform, registration):
    """The LMS's login, in its frame: the tool's page, and the address it goes on to."""
    login = platform.login_url(reverse("lti:login", args=[registration.uuid]), "s-1")
    page = client.get(login, HTTP_SEC_FETCH_DEST="iframe")
    platform_url = re.search(r'data-platform-url="([^"]+)"', page.text)[1].replace("&amp;", "&")
    platform.trust_tool(Key.objects.as_jwks())
    return page, platform_url


def in_frame(client, url, data, site="same-origin"):
    """A POST from a page in the LMS's frame."""
    return client.post(url, data, HTTP_SEC_FETCH_DEST="iframe", HTTP_SEC_FETCH_SITE=site)


def frame_token(page) -> str:
    return re.search(r'name="embed_token" value="([^"]+)"', page.text)[1]


def frame_launch(client, platform, registration, quiz):
    """A student's login and launch in the LMS's frame, cookies kept: the quiz's page."""
    _page, platform_url = login_in_frame(client, platform, registration)
    form, url = platform.launch_data(platform_url, "s-1", [LEARNER], custom={"quiz": quiz.slug})
    return in_frame(client, url.removeprefix(platform.tool), form, site="cross-site")


def test_in_a_frame_the_student_takes_the_quiz_there_with_no_cookie_of_their_own(
    client, platform, registration, quiz, run_tasks
):
    quiz.questions.update(shuffle=False)
    page, _ = login_in_frame(client, platform, registration)
    # The script goes on to the LMS where the frame keeps cookies; otherwise a new tab.
    assert page.status_code == 200 and "lti1p3_new_window=1" in page.text
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    question_page = frame_launch(client, platform, registration, quiz)
    assert question_page.status_code == 200 and "Question 1 of 2" in question_page.text
    assert "frame-ancestors *" in question_page["Content-Security-Policy"]
    assert "_auth_user_id" not in client.session  # the page's token names the attempt
    attempt = Attempt.objects.get()
    first, second = attempt.questions()

    # Going on with nothing entered saves nothing; with an answer entered, saves it first.
    answer = reverse("lti:attempt_answer")
    skipped = in_frame(
        client, answer, {"embed_token": frame_token(question_page), "number": 1, "go": 2}
    )
    assert "Question 2 of 2" in skipped.text and not attempt.responses.exists()
    right = second.choices.get(is_correct=True)
    fields = {"embed_token": frame_token(skipped), "number": 2, "go": "finish"}
    finishing = in_frame(client, answer, fields | answer_data(attempt, second, right.pk))
    assert "1 of 2 answered." in finishing.text and "Submit for grading" in finishing.text
    back = in_frame(
        client, reverse("lti:attempt_question"), {"embed_token": frame_token(finishing)}
    )
    assert "Question 1 of 2" in back.text  # where the student left off
    right = first.choices.get(is_correct=True)
    fields = {"embed_token": frame_token(back), "number": 1}
    saved = in_frame(client, answer, fields | answer_data(attempt, first, right.pk))
    assert "Your answer is saved." in saved.text

    results = in_frame(client, reverse("lti:attempt_submit"), {"embed_token": frame_token(saved)})
    assert "You scored 2 out of 2." in results.text
    run_tasks()
    (score,) = platform.scores
    assert (score["userId"], score["scoreGiven"]) == ("s-1", 2.0)
    # Opened again with no attempt left: why, above the results.
    again = frame_launch(client, platform, registration, quiz)
    assert "You have used all 1 of your attempts." in again.text
    assert "You scored 2 out of 2." in again.text and Attempt.objects.count() == 1


def test_the_frames_quiz_takes_only_its_own_token_from_its_own_pages(
    client, platform, registration, quiz
):
    page = frame_launch(client, platform, registration, quiz)
    attempt = Attempt.objects.get()
    question = attempt.questions()[0]
    answer = answer_data(attempt, question, question.choices.first().pk) | {"number": 1}
    token = frame_token(page)

    changed = in_frame(client, reverse("lti:attempt_answer"), answer | {"embed_token": token + "x"})
    assert changed.status_code == 403 and "too old or was changed" in changed.text
    # With htmx, said above the question, which stays on screen with what was typed.
    changed = client.post(
        reverse("lti:attempt_answer"),
        answer | {"embed_token": token + "x"},
        HTTP_HX_REQUEST="true",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert changed.status_code == 403 and "too old or was changed" in changed.text
    assert (changed["HX-Retarget"], changed["HX-Reswap"]) == ("#frame-message", "innerHTML")
    # A practice embed's token for the same attempt: signed alike, but not for this.
    embed_token = tokens.make_token(attempt.public_id)
    other = in_frame(client, reverse("lti:attempt_answer"), answer | {"embed_token": embed_token})
    assert other.status_code == 403
    forged = in_frame(
        client, reverse("lti:attempt_answer"), answer | {"embed_token": token}, site="cross-site"
    )
    assert forged.status_code == 403 and "another website" in forged.text
    assert not attempt.responses.exists()


def test_the_frames_quiz_keeps_the_assignments_feedback_and_review(
    client, platform, registration, quiz
):
    quiz.questions.update(shuffle=False)
    page = frame_launch(client, platform, registration, quiz)
    attempt = Attempt.objects.get()
    Assignment.objects.filter(pk=attempt.assignment_id).update(
        feedback_mode=Assignment.FeedbackMode.IMMEDIATE, review_shows_answers=False
    )
    first = attempt.questions()[0]
    wrong = first.choices.filter(is_correct=False).first()
    fields = {"embed_token": frame_token(page), "number": 1}
    checked = in_frame(
        client, reverse("lti:attempt_answer"), fields | answer_data(attempt, first, wrong.pk)
    )
    assert "Not quite." in checked.text and "Check answer" not in checked.text
    right = first.choices.get(is_correct=True)
    fields["embed_token"] = frame_token(checked)
    again = in_frame(
        client, reverse("lti:attempt_answer"), fields | answer_data(attempt, first, right.pk)
    )
    assert again.status_code == 409 and "already answered" in again.text
    assert attempt.responses.get().points == 0

    results = in_frame(client, reverse("lti:attempt_submit"), {"embed_token": frame_token(again)})
    assert "You scored 0 out of 2." in results.text
    assert "chosen not to show the right answers" in results.text
    assert "Right answer:" not in results.text


def test_with_the_lms_storage_the_state_is_checked_in_the_browser(
    client, platform, registration, quiz
):
    platform.storage_target = "_parent"
    page, platform_url = login_in_frame(client, platform, registration)
    assert 'data-storage-target="_parent"' in page.text
    assert f'data-storage-origin="{platform.url}"' in page.text
    assert "lti_storage_target=_parent" in platform_url
    client.cookies.clear()  # the frame kept no cookie
    form, url = platform.launch_data(platform_url, "s-1", [LEARNER], custom={"quiz": quiz.slug})
    form["lti_storage_target"] = "_parent"
    check = in_frame(client, url.removeprefix(platform.tool), form, site="cross-site")
    # A page whose script reads the state from the LMS's storage, then posts it all again.
    assert check.status_code == 200 and 'id="lti-state-check"' in check.text
    assert f'data-storage-origin="{platform.url}"' in check.text
    assert not Attempt.objects.exists()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', check.text))
    assert fields["lti_state_checked"] == "1" and fields["state"] == form["state"]

    question_page = in_frame(client, reverse("lti:launch"), fields)
    assert question_page.status_code == 200 and "Question 1 of 2" in question_page.text


def test_a_launch_claiming_its_state_was_checked_must_come_from_the_tools_page(
    client, platform, registration, quiz
):
    """Else another site could post any launch of its own as checked, into a student's
    browser, and have them answer as someone else (seen passing without the check)."""
    _page, platform_url = login_in_frame(client, platform, registration)
    client.cookies.clear()
    form, url = platform.launch_data(platform_url, "s-1", [LEARNER], custom={"quiz": quiz.slug})
    claimed = form | {"lti_storage_target": "_parent", "lti_state_checked": "1"}
    for site in ("cross-site", "same-site"):
        reply = in_frame(client, url.removeprefix(platform.tool), claimed, site=site)
        assert reply.status_code == 400 and "did not come from the LMS" in reply.text
    assert not Attempt.objects.exists()


def test_without_a_cookie_or_the_lms_storage_a_launch_is_refused(
    client, platform, registration, quiz
):
    _page, platform_url = login_in_frame(client, platform, registration)
    client.cookies.clear()
    form, url = platform.launch_data(platform_url, "s-1", [LEARNER], custom={"quiz": quiz.slug})
    reply = in_frame(client, url.removeprefix(platform.tool), form, site="cross-site")
    assert reply.status_code == 400 and "State not found" in reply.text
    assert not Attempt.objects.exists()


def test_a_teachers_launch_shows_the_activity_and_makes_them_its_teacher(
    client, platform, registration, quiz
):
    reply, _ = launch(
        client, platform, registration, user="t-1", roles=(INSTRUCTOR,), custom={"quiz": quiz.slug}
    )
    assert reply.status_code == 200 and "Space basics" in reply.text
    teacher = Classroom.objects.get().teachers.get()
    assert teacher.lti_users.get().sub == "t-1" and not teacher.is_staff
    assert not Attempt.objects.exists()


def test_a_teacher_adds_a_quiz_from_the_lms_picker(client, platform, registration, quiz):
    picker, answer = pick(client, platform, registration, quiz.slug)
    assert picker.status_code == 200 and f'value="{quiz.slug}"' in picker.text
    assert f'action="{platform.url}/deep-link-return"' in answer.text
    assert f"form-action 'self' {platform.url}" in answer["Content-Security-Policy"]
    jwt = re.search(r'name="JWT" value="([^"]+)"', answer.text)[1]
    from tests.lti_platform import PlatformConfig

    (item,) = PlatformConfig(registration=platform.registration).validate_deeplinking_resp(
        {"JWT": jwt}
    )
    assert item["custom"] == {"quiz": quiz.slug} and item["url"].endswith("/lti/launch/")
    assert item["lineItem"]["scoreMaximum"] == 2.0

    # A student launching the new activity gets the quiz it names.
    reply, _ = launch(client, platform, registration, custom=item["custom"])
    client.get(reply["Location"])
    assert Attempt.objects.get().quiz == quiz


def test_a_practice_quiz_is_never_an_lms_activity(client, platform, registration, practice_quiz):
    """Anyone may see a practice quiz's answers: graded, they would give the grade away."""
    reply, _ = launch(client, platform, registration, custom={"quiz": practice_quiz.slug})
    assert reply.status_code == 400 and "names no quiz" in reply.text
    picker, answer = pick(client, platform, registration, practice_quiz.slug)
    assert practice_quiz.slug not in picker.text
    assert answer.status_code == 400 and "JWT" not in answer.text
    assert not Attempt.objects.exists()


def test_a_launch_signed_with_another_key_is_refused(client, platform, registration, quiz):
    forged = platform.make_registration(platform_private_key=new_key_pair()[0])
    reply, _ = launch(client, platform, registration, custom={"quiz": quiz.slug}, signed_as=forged)
    assert reply.status_code == 400 and "This launch was refused" in reply.text
    assert not Attempt.objects.exists()


def test_a_launch_for_another_tool_is_refused(client, platform, registration, quiz):
    reply, _ = launch(
        client,
        platform,
        registration,
        custom={"quiz": quiz.slug},
        claims={"aud": "another-tool", "azp": "another-tool"},
    )
    assert reply.status_code == 400 and "This launch was refused" in reply.text
    assert not Attempt.objects.exists()


def test_a_launch_sent_twice_is_refused_the_second_time(client, platform, registration, quiz):
    reply, form = launch(client, platform, registration, custom={"quiz": quiz.slug})
    assert reply.status_code == 302
    replayed = client.post(reverse("lti:launch"), form)
    assert replayed.status_code == 400 and "used already" in replayed.text


def test_a_launch_from_an_unknown_deployment_is_refused(client, platform, registration, quiz):
    unknown = platform.make_registration(deployment_id="not-registered")
    reply, _ = launch(client, platform, registration, custom={"quiz": quiz.slug}, signed_as=unknown)
    assert reply.status_code == 403 and "not active here yet" in reply.text
    assert not Attempt.objects.exists()


def test_a_login_from_an_unregistered_lms_is_refused(client, platform, quiz):
    from lti_tool.models import LtiRegistration

    stranger = Platform()
    try:
        known = platform.register_in_tool()
        login = stranger.login_url(reverse("lti:login", args=[known.uuid]), "s-1")
        reply = client.get(login)
        assert reply.status_code == 400 and "not registered here" in reply.text
        assert LtiRegistration.objects.count() == 1
    finally:
        stranger.close()


def test_the_tool_publishes_its_key_set(client):
    keys = client.get(reverse("lti:jwks")).json()["keys"]
    assert len(keys) == 1 and keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]  # the private part never leaves the tool
