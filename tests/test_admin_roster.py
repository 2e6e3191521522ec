import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from classrooms.factories import ClassroomFactory, TeacherFactory
from classrooms.models import Enrollment
from quizzes.factories import UserFactory


@pytest.fixture
def classroom(teacher):
    return ClassroomFactory(name="Orion Group", teachers=[teacher])


def upload(client, classroom, content: bytes):
    return client.post(
        f"/admin/classrooms/classroom/{classroom.pk}/roster/",
        {"file": SimpleUploadedFile("class.csv", content, content_type="text/csv")},
    )


def test_import_creates_enrolled_students_and_shows_their_passwords_once(teacher_client, classroom):
    page = upload(
        teacher_client,
        classroom,
        "\ufeffName;E-mail\nAda Lovelace;Ada@Example.org\nMae Jemison;mae@example.org\n".encode(),
    )

    assert page.status_code == 200
    assert "2 students are now in the class" in page.text
    assert "no-store" in page["Cache-Control"]
    ada = get_user_model().objects.get(username="ada@example.org")
    assert (ada.first_name, ada.last_name, ada.email) == ("Ada", "Lovelace", "ada@example.org")
    assert Enrollment.objects.filter(classroom=classroom).count() == 2
    password = re.search(r"ada@example.org</td><td><code>([^<]+)</code>", page.text).group(1)
    assert Client().login(username="ada@example.org", password=password)
    roster = teacher_client.get(f"/admin/classrooms/classroom/{classroom.pk}/change/")
    assert "Lovelace" in roster.text and password not in roster.text


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
