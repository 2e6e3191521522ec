import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.factories import TeacherFactory, UserFactory
from classrooms.factories import AssignmentFactory, ClassroomFactory, EnrollmentFactory
from classrooms.models import Enrollment, ImportedStudent
from quizzes.factories import QuestionFactory
from quizzes.models import Attempt
from tests.admin_forms import upload


@pytest.fixture
def classroom(teacher):
    return ClassroomFactory(name="Orion Group", teachers=[teacher])


def test_import_creates_enrolled_students_and_shows_their_passwords_until_seen(
    teacher_client, classroom, run_tasks
):
    started = upload(
        teacher_client,
        classroom,
        "\ufeffName;E-mail\nAda Lovelace;Ada@Example.org\nMae Jemison;mae@example.org\n".encode(),
    )
    assert started.status_code == 302  # at once: the accounts are made in the background
    waiting = teacher_client.get(started.url)
    assert "Creating accounts: 0 of 2." in waiting.text
    run_tasks()
    page = teacher_client.get(started.url)
    assert "2 students are now in the class" in page.text
    assert "no-store" in page["Cache-Control"]
    ada = get_user_model().objects.get(username="ada@example.org")
    assert (ada.first_name, ada.last_name, ada.email) == ("Ada", "Lovelace", "ada@example.org")
    assert Enrollment.objects.filter(classroom=classroom).count() == 2
    password = re.search(r"ada@example.org</td><td><code>([^<]+)</code>", page.text).group(1)
    assert Client().login(username="ada@example.org", password=password)
    roster = teacher_client.get(f"/admin/classrooms/classroom/{classroom.pk}/change/")
    assert "Lovelace" in roster.text and password not in roster.text
    # Sealed in the database, not written as they are.
    assert password not in str(list(ImportedStudent.objects.values_list("sealed_password")))
    teacher_client.post(started.url)  # "I have the passwords: forget them"
    assert password not in teacher_client.get(started.url).text
    assert not ImportedStudent.objects.exclude(sealed_password="").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\n\n", "The file is empty."),
        (b"\xff\xfe\x00n\x00a", "not UTF-8 text"),
        (b"who,where\nAda,ada@example.org\n", "The first line must name the columns"),
        (b"name,email\nAda Lovelace,ada@example.org,extra\n", "Line 2 has 3 values"),
        (
            b"name,email\nAda Lovelace,not-an-email\n",
            "Line 2: “not-an-email” is not an email address.",
        ),
        (b"name,email\n,ada@example.org\n", "Line 2: the name is missing."),
        (
            b"first name,last name,email\nAda,Lovelace,ada@example.org\nAda,L,ADA@example.org\n",
            "Line 3: ada@example.org is already on line 2.",
        ),
        (b"name,email\nTaken Person,taken@example.org\n", "Line 2: taken@example.org already has"),
    ],
)
def test_a_bad_file_gets_a_clear_message_and_imports_nobody(
    teacher_client, classroom, content, message
):
    UserFactory(username="taken", email="Taken@example.org")
    ok_line = b"\nGood Student,good@example.org\n" if content.startswith(b"name,email") else b""
    page = upload(teacher_client, classroom, content + ok_line)
    assert page.status_code == 200
    assert "Nothing was imported" in page.text
    assert message in page.content.decode()
    assert not get_user_model().objects.filter(username="good@example.org").exists()
    assert not Enrollment.objects.filter(classroom=classroom).exists()


def test_new_join_code_after_confirming(teacher_client, classroom):
    old = classroom.join_code
    confirm = teacher_client.get(f"/admin/classrooms/classroom/{classroom.pk}/join-code/")
    assert old in confirm.text
    page = teacher_client.post(
        f"/admin/classrooms/classroom/{classroom.pk}/join-code/", follow=True
    )
    classroom.refresh_from_db()
    assert classroom.join_code != old
    assert f"The new join code is {classroom.join_code}" in page.text
    assert all(ch not in classroom.join_code for ch in "01OIL")


def test_a_teacher_creating_a_class_teaches_it_and_cannot_leave_it_by_accident(
    teacher_client, teacher
):
    add = teacher_client.get("/admin/classrooms/classroom/add/")
    assert "Tess" in add.text or "teacher" in add.text
    colleague = TeacherFactory()
    refused = teacher_client.post(
        "/admin/classrooms/classroom/add/",
        {
            "name": "Vega",
            "teachers": [colleague.pk],
            "enrollments-TOTAL_FORMS": "0",
            "enrollments-INITIAL_FORMS": "0",
        },
    )
    assert "Keep yourself among the teachers" in refused.text
    teacher_client.post(
        "/admin/classrooms/classroom/add/",
        {
            "name": "Vega",
            "teachers": [teacher.pk],
            "enrollments-TOTAL_FORMS": "0",
            "enrollments-INITIAL_FORMS": "0",
        },
    )
    assert teacher.classrooms_taught.get().name == "Vega"


def test_students_cannot_be_offered_as_teachers(teacher_client, classroom):
    UserFactory(username="zelda-student")
    page = teacher_client.get(f"/admin/classrooms/classroom/{classroom.pk}/change/")
    assert "zelda-student" not in page.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # csv.Sniffer needs time growing with the square of the line it reads: 1 MB of these
        # took hours before it read only the start of the first line.
        (b',"' * 500_000, "The first line must name the columns"),
        (b"commas" + b"," * 999_994, "The first line must name the columns"),
        # Lines are checked only when there are few enough of them: nothing per line here.
        (b"name,email\n" + b"A,b\n" * 249_997 + b"\n", "A file may list at most 500 students"),
        (b"name,email\n" + b"a" * 999_989, "This is not a CSV file we can read"),
        (b"name,email\n" + b"a" * 999_990, "The file is too big for a class list (over 1 MB)"),
    ],
)
def test_a_large_hostile_file_gets_one_clear_message(teacher_client, classroom, content, message):
    assert len(content) in (1_000_000, 1_000_001)
    page = upload(teacher_client, classroom, content)
    assert page.status_code == 200
    assert "Nothing was imported" in page.text
    assert message in page.content.decode()
    assert "Line 2" not in page.text
    assert not Enrollment.objects.filter(classroom=classroom).exists()


# Helping students: a new password, adding an existing account, removing from the class


def without_tokens(page: str) -> str:
    """The page without its per-response nonce and CSRF token."""
    return re.sub(r'(nonce="|csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]*', "", page)


def password_url(classroom, student):
    return f"/admin/classrooms/classroom/{classroom.pk}/students/{student.pk}/password/"


def remove_url(classroom, student):
    return f"/admin/classrooms/classroom/{classroom.pk}/students/{student.pk}/remove/"


def add_url(classroom):
    return f"/admin/classrooms/classroom/{classroom.pk}/students/add/"


@pytest.fixture
def ada(classroom):
    ada = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    EnrollmentFactory(classroom=classroom, student=ada)
    return ada


@pytest.fixture
def elsewhere(db):
    """Another teacher's student, in another teacher's class."""
    zed = UserFactory(username="zed", first_name="Zed", last_name="Elsewhere")
    EnrollmentFactory(classroom=ClassroomFactory(teachers=[TeacherFactory()]), student=zed)
    return zed


@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cache",
        "django.contrib.sessions.backends.cached_db",
        "quizsite.sessions",  # the site's own with REDIS_URL
    ],
)
def test_a_new_password_is_shown_once_and_logs_the_student_out_everywhere(
    settings, engine, client, teacher, classroom, ada
):
    settings.SESSION_ENGINE = engine
    teacher_client = client
    teacher_client.force_login(teacher)
    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        assert device.login(username="ada", password="correct horse battery")
        assert device.get("/dashboard/").status_code == 200

    confirm = teacher_client.get(password_url(classroom, ada))
    assert "Give Ada Lovelace a new password" in confirm.text
    assert Client().login(username="ada", password="correct horse battery")  # nothing yet
    page = teacher_client.post(password_url(classroom, ada))

    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    password = re.search(r'<code id="new-password">([^<]+)</code>', page.text).group(1)
    for device in (phone, laptop):
        assert device.get("/dashboard/")["Location"].startswith("/accounts/login/")
    assert not Client().login(username="ada", password="correct horse battery")
    assert Client().login(username="ada", password=password)
    roster = teacher_client.get(f"/admin/classrooms/classroom/{classroom.pk}/change/")
    assert password not in roster.text
    assert (
        "New password for ada"
        in teacher_client.get(f"/admin/classrooms/classroom/{classroom.pk}/history/").text
    )


def test_the_password_reset_404s_for_another_teachers_student(
    teacher_client, classroom, ada, elsewhere
):
    hash_before = elsewhere.password
    mine = teacher_client.get(password_url(classroom, ada))
    assert mine.status_code == 200

    theirs = teacher_client.get(password_url(classroom, elsewhere))
    nobody = teacher_client.get(
        f"/admin/classrooms/classroom/{classroom.pk}/students/987654/password/"
    )
    assert theirs.status_code == nobody.status_code == 404
    assert without_tokens(theirs.text) == without_tokens(nobody.text)
    their_class = elsewhere.enrollments.get().classroom
    assert teacher_client.get(password_url(their_class, elsewhere)).status_code == 404
    for url in (password_url(classroom, elsewhere), password_url(their_class, elsewhere)):
        assert teacher_client.post(url).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.password == hash_before


def test_adding_an_existing_account_by_username_never_hands_over_its_password(
    teacher_client, classroom, elsewhere
):
    hash_before = elsewhere.password
    form = teacher_client.get(add_url(classroom))
    assert "Zed" not in form.text

    added = teacher_client.post(add_url(classroom), {"username": "ZED"}, follow=True)

    assert "Zed Elsewhere (zed) is now in Orion Group" in added.text
    assert classroom.enrollments.get().origin == Enrollment.Origin.USERNAME
    assert password_url(classroom, elsewhere) not in added.text  # no "New password" link
    refused = teacher_client.post(password_url(classroom, elsewhere))
    assert refused.status_code == 403
    assert "is not yours to change" in refused.text
    elsewhere.refresh_from_db()
    assert elsewhere.password == hash_before


def test_adding_by_username_names_nobody_it_does_not_add(teacher_client, classroom, ada):
    colleague = TeacherFactory(username="colleague", first_name="Carla")
    unknown = teacher_client.post(add_url(classroom), {"username": "ad"})
    assert "No student has the username “ad”" in unknown.text
    staff = teacher_client.post(add_url(classroom), {"username": "colleague"})
    assert "No student has the username “colleague”" in staff.text
    assert "Carla" not in staff.text
    again = teacher_client.post(add_url(classroom), {"username": "ada"})
    assert "ada is already in this class." in again.text
    assert list(classroom.students.all()) == [ada]
    assert not colleague.enrollments.exists()


def test_a_teacher_who_joined_a_class_keeps_their_password(teacher_client, classroom):
    colleague = TeacherFactory(username="colleague")
    EnrollmentFactory(classroom=classroom, student=colleague)  # joined with the code
    hash_before = colleague.password
    assert teacher_client.post(password_url(classroom, colleague)).status_code == 403
    colleague.refresh_from_db()
    assert colleague.password == hash_before


def test_imported_students_can_be_given_a_new_password(teacher_client, classroom, run_tasks):
    upload(teacher_client, classroom, b"name,email\nMae Jemison,mae@example.org\n")
    run_tasks()
    mae = get_user_model().objects.get(username="mae@example.org")
    assert classroom.enrollments.get().origin == Enrollment.Origin.CLASS_LIST
    assert teacher_client.post(password_url(classroom, mae)).status_code == 200


def test_removing_a_student_asks_first_and_keeps_their_attempts(
    teacher_client, classroom, ada, take_quiz
):
    assignment = AssignmentFactory(classroom=classroom, quiz=QuestionFactory().quiz)
    question = assignment.quiz.questions.get()
    take_quiz(assignment, ada, {question: question.choices.get(is_correct=True).pk})
    gradebook = f"/admin/classrooms/classroom/{classroom.pk}/gradebook/"
    assert "Lovelace" in teacher_client.get(gradebook).text

    confirm = teacher_client.get(remove_url(classroom, ada))
    assert "Their 1 submitted attempt at this class's quizzes is kept" in confirm.text
    assert classroom.enrollments.filter(student=ada).exists()  # asking removes nobody
    done = teacher_client.post(remove_url(classroom, ada), follow=True)

    assert "Ada Lovelace (ada) is no longer in Orion Group" in done.text
    assert not classroom.enrollments.exists()
    attempt = Attempt.objects.get(user=ada)
    assert attempt.score == 1
    assert "Lovelace" not in teacher_client.get(gradebook).text
    ada_client = Client()
    ada_client.force_login(ada)
    assert ada_client.get(f"/attempts/{attempt.public_id}/results/").status_code == 200
    assert ada_client.post(f"/assignments/{assignment.pk}/start/").status_code == 404
    teacher_client.post(add_url(classroom), {"username": "ada"})
    assert "1 / 1" in teacher_client.get(gradebook).text  # back, with the grade


def test_another_teachers_student_cannot_be_removed(teacher_client, classroom, elsewhere):
    their_class = elsewhere.enrollments.get().classroom
    for url in (remove_url(classroom, elsewhere), remove_url(their_class, elsewhere)):
        assert teacher_client.get(url).status_code == 404
        assert teacher_client.post(url).status_code == 404
    assert elsewhere.enrollments.count() == 1
