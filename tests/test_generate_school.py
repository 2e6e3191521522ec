"""The generate_school command: a made-up school for load tests, consistent like a real one."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.factories import UserFactory
from classrooms.models import Assignment, Classroom, Enrollment
from quizzes.models import Attempt, Quiz, Response

pytestmark = pytest.mark.django_db

TINY = {"students": 24, "classes": 3, "responses": 600, "seed": 5}


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_school", stdout=out, **options)
    return out.getvalue()


def test_makes_a_school_of_the_size_asked_for():
    report = generate(**TINY)

    quizzes = Quiz.objects.filter(is_practice=False).count()
    assert quizzes == 4  # the shipped quizzes, loaded because the database had none
    students = get_user_model().objects.filter(is_staff=False)
    assert students.count() == 24
    assert Classroom.objects.count() == 3
    assert Enrollment.objects.count() == 24  # each student in one class
    assert Assignment.objects.count() == 3 * quizzes
    assert Response.objects.count() == 600
    assert "24 students" in report and "600 responses" in report


def test_every_submitted_score_is_the_sum_of_its_answers_points():
    generate(**TINY)

    submitted = Attempt.objects.submitted()
    assert submitted.exists()
    totals = submitted.annotate(total=Coalesce(Sum("responses__points"), Value(Decimal(0))))
    assert not totals.exclude(score=F("total")).exists()
    # Essays a teacher hasn't marked yet make a score provisional, as in the app.
    waiting = Response.objects.filter(attempt__in=submitted, points__isnull=True)
    assert set(Attempt.objects.filter(responses__in=waiting)) == set(
        submitted.filter(is_provisional=True)
    )
    for attempt in submitted.select_related("quiz")[:20]:
        assert attempt.max_score == attempt.quiz.max_score
        assert Decimal(0) <= attempt.score <= attempt.max_score


def test_scale_makes_a_fraction_of_each_size():
    generate(students=240, classes=30, responses=6000, scale=0.1, seed=1)

    assert get_user_model().objects.filter(is_staff=False).count() == 24
    assert Classroom.objects.count() == 3
    assert Response.objects.count() == 600


def test_the_same_seed_makes_the_same_school():
    def scores():
        return list(
            Attempt.objects.order_by(
                "user__username", "assignment__quiz__slug", "started_at"
            ).values_list("user__username", "assignment__quiz__slug", "score")
        )

    generate(**TINY)
    first = scores()
    Attempt.objects.all().delete()
    Assignment.objects.all().delete()
    Classroom.objects.all().delete()
    get_user_model().objects.filter(username__startswith="generated-").delete()
    generate(**TINY)
    assert scores() == first


def test_refuses_a_database_with_real_students_unless_forced():
    UserFactory(username="real-student")
    with pytest.raises(CommandError, match=r"real students \(1 account"):
        generate(**TINY)
    assert not Attempt.objects.exists()

    generate(force=True, **TINY)
    assert Response.objects.count() == 600


def test_attempts_keep_the_rules_of_their_assignment():
    generate(students=24, classes=3, responses=3000, seed=2)  # several tries each

    per_student = Attempt.objects.values("user", "assignment").annotate(
        tries=Count("pk"), open=Count("pk", filter=Q(submitted_at__isnull=True))
    )
    assert max(row["tries"] for row in per_student) > 1
    allowed = dict(Assignment.objects.values_list("pk", "attempts_allowed"))
    for row in per_student:
        assert allowed[row["assignment"]] is None or row["tries"] <= allowed[row["assignment"]]
        assert row["open"] <= 1
    now = timezone.now()
    assert not Attempt.objects.in_progress().filter(deadline__lte=now).exists()
    assert not Attempt.objects.submitted().filter(submitted_at__gt=F("deadline")).exists()
