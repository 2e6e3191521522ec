from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from classrooms.models import Assignment, Classroom, Enrollment


@pytest.mark.django_db
def test_demo_teacher_teaches_the_demo_class_and_running_twice_creates_nothing_twice(capsys):
    call_command("loaddata", "lessons", "quizzes", verbosity=0)
    call_command("demo_class")
    call_command("demo_class")

    output = capsys.readouterr().out
    assert output.count("username: demo-teacher  password: ") == 2
    teacher = get_user_model().objects.get(username="demo-teacher")
    assert list(teacher.groups.values_list("name", flat=True)) == ["Teachers"]
    assert not teacher.user_permissions.exists()
    classroom = Classroom.objects.get()
    assert classroom.name == "Demo class"
    assert list(classroom.teachers.all()) == [teacher]
    assert Enrollment.objects.get().student.username == "demo-student"
    topic, review = Assignment.objects.order_by("feedback_mode")
    assert (topic.feedback_mode, topic.time_limit) == ("deferred", timedelta(minutes=20))
    assert review.feedback_mode == "immediate"
    assert "Review" in review.quiz.title and not topic.quiz.is_practice


@pytest.mark.django_db
def test_demo_class_without_quizzes_skip_the_assignments_with_a_message(capsys):
    call_command("demo_class")
    assert "No quizzes loaded" in capsys.readouterr().out
    assert Classroom.objects.get().name == "Demo class"
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_demo_teacher_can_open_the_gradebook_of_the_demo_class(client, capsys):
    call_command("demo_class")
    output = capsys.readouterr().out
    password = output.split("username: demo-teacher  password: ")[1].split()[0]
    assert client.login(username="demo-teacher", password=password)
    classroom = Classroom.objects.get()
    page = client.get(f"/admin/classrooms/classroom/{classroom.pk}/gradebook/")
    assert page.status_code == 200
