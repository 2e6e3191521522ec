"""A class list import in the background: it survives its worker stopping halfway, never
makes a student twice, loses no password, and shows its passwords to no one else."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.factories import TeacherFactory, UserFactory
from classrooms import tasks
from classrooms.factories import ClassroomFactory
from classrooms.models import Enrollment, ImportedStudent, RosterImport, WorkerHeartbeat
from quizsite.sealed import unseal
from tests.admin_forms import upload

pytestmark = pytest.mark.django_db

ROSTER = "name,email\n" + "".join(f"Student {n},s{n}@example.org\n" for n in range(1, 13))


@pytest.fixture
def classroom(teacher):
    return ClassroomFactory(name="Orion Group", teachers=[teacher])


def start_import(teacher_client, classroom) -> RosterImport:
    assert upload(teacher_client, classroom, ROSTER.encode()).status_code == 302
    return RosterImport.objects.get()


class WorkerKilled(BaseException):
    """What a kill -9 looks like from inside: nothing after it runs."""


def test_an_import_stopped_halfway_finishes_when_restarted_without_doubles(
    teacher_client, classroom, run_tasks, monkeypatch
):
    roster_import = start_import(teacher_client, classroom)
    made = []
    real_create = tasks.create_student

    def dies_after_five(roster_import, row):
        if len(made) == 5:
            raise WorkerKilled
        real_create(roster_import, row)
        made.append(row["line"])

    monkeypatch.setattr(tasks, "create_student", dies_after_five)
    with pytest.raises(WorkerKilled):
        tasks.import_roster.call(roster_import.pk)
    monkeypatch.setattr(tasks, "create_student", real_create)
    assert ImportedStudent.objects.count() == 5
    page = teacher_client.get(
        f"/admin/classrooms/classroom/{classroom.pk}/roster/{roster_import.pk}/"
    )
    assert "Creating accounts: 5 of 12." in page.text

    # No sign of life for a while: the housekeeping starts it again, once.
    assert tasks.restart_stalled(timezone.now()) == []
    later = timezone.now() + settings.TASK_STALLED_AFTER + timedelta(seconds=1)
    assert tasks.restart_stalled(later) == [roster_import.pk]
    assert tasks.restart_stalled(later) == []
    run_tasks()

    roster_import.refresh_from_db()
    assert roster_import.is_finished
    assert get_user_model().objects.filter(email__endswith="@example.org").count() == 12
    assert Enrollment.objects.filter(classroom=classroom).count() == 12
    passwords = [unseal(s.sealed_password) for s in roster_import.students.all()]
    assert len(set(passwords)) == 12 and None not in passwords


def test_two_runs_of_one_import_make_each_student_once(teacher_client, classroom, run_tasks):
    roster_import = start_import(teacher_client, classroom)
    tasks.import_roster.enqueue(roster_import.pk)  # a restart while the first run waits
    run_tasks()
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    assert ImportedStudent.objects.count() == 12
    assert Enrollment.objects.filter(classroom=classroom).count() == 12


def test_an_account_made_meanwhile_is_reported_and_left_alone(teacher_client, classroom, run_tasks):
    roster_import = start_import(teacher_client, classroom)
    UserFactory(username="s3@example.org", email="s3@example.org")
    run_tasks()
    page = teacher_client.get(
        f"/admin/classrooms/classroom/{classroom.pk}/roster/{roster_import.pk}/"
    )
    assert "Line 4: s3@example.org got an account meanwhile" in page.text
    assert "11 students are now in the class" in page.text


def test_only_the_teacher_who_started_it_sees_the_passwords(
    teacher_client, classroom, run_tasks, client
):
    roster_import = start_import(teacher_client, classroom)
    run_tasks()
    colleague = TeacherFactory()
    classroom.teachers.add(colleague)
    client.force_login(colleague)
    url = f"/admin/classrooms/classroom/{classroom.pk}/roster/{roster_import.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert not ImportedStudent.objects.filter(sealed_password="").exists()


def test_housekeeping_forgets_passwords_a_day_after_and_says_the_worker_is_alive(
    teacher_client, classroom, run_tasks
):
    roster_import = start_import(teacher_client, classroom)
    run_tasks()
    tasks.housekeeping("worker-1", now=timezone.now() + timedelta(hours=23))
    assert not ImportedStudent.objects.filter(sealed_password="").exists()
    tasks.housekeeping("worker-1", now=timezone.now() + timedelta(hours=25))
    assert not ImportedStudent.objects.exclude(sealed_password="").exists()
    assert WorkerHeartbeat.objects.get().worker_id == "worker-1"
    page = teacher_client.get(
        f"/admin/classrooms/classroom/{classroom.pk}/roster/{roster_import.pk}/"
    )
    assert "no longer kept" in page.text


def test_housekeeping_submits_attempts_whose_time_ran_out(db):
    from quizzes.factories import AttemptFactory

    attempt = AttemptFactory(deadline=timezone.now() - timedelta(minutes=1))
    tasks.housekeeping("worker-1")
    attempt.refresh_from_db()
    assert attempt.is_submitted


def test_a_superuser_follows_an_import_without_its_passwords(
    teacher_client, classroom, run_tasks, client
):
    roster_import = start_import(teacher_client, classroom)
    run_tasks()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = f"/admin/classrooms/classroom/{classroom.pk}/roster/{roster_import.pk}/"
    page = client.get(url).text
    assert "shown only to" in page
    password = unseal(ImportedStudent.objects.first().sealed_password)
    assert password not in page
    assert client.post(url).status_code == 404  # nor forgets them for the teacher


def test_a_list_sent_again_skips_the_students_it_made_and_imports_the_rest(
    teacher_client, classroom, run_tasks
):
    start_import(teacher_client, classroom)
    run_tasks()
    again = upload(teacher_client, classroom, (ROSTER + "Newcomer,new@example.org\n").encode())
    assert again.status_code == 302
    page = teacher_client.get(again.url)
    assert "12 students on the list were imported into this class before: skipped." in page.text
    run_tasks()
    assert Enrollment.objects.filter(classroom=classroom).count() == 13
    assert RosterImport.objects.order_by("-pk").first().total == 1


def test_a_list_sent_again_while_the_first_runs_makes_nobody_twice(teacher_client, classroom):
    start_import(teacher_client, classroom)
    refused = upload(teacher_client, classroom, ROSTER.encode())
    assert "Every student on this list was imported into this class already." in refused.text
    assert RosterImport.objects.count() == 1
