"""The teacher's home page in the admin: what waits to be marked, each class with its
gradebook, and what students handed in lately. Only the user's own classes (a superuser's:
all), in a fixed number of queries however many classes there are."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, IntegerField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from classrooms.models import Classroom, Enrollment
from quizzes.marking import waiting_for_teacher
from quizzes.models import Attempt, Response

RECENT = timedelta(days=7)
MOST_CLASSES = 30  # a superuser's school may have hundreds: the list links to the rest
MOST_RECENT = 8


@dataclass
class TeacherHome:
    to_mark: int | None = None  # None: this user doesn't mark
    classes: list = field(default_factory=list)  # Classroom with counts, by name
    more_classes: bool = False
    recent: list = field(default_factory=list)  # dicts: one assignment handed in lately
    shows_classes: bool = False


def count_of(queryset, group_by: str) -> Subquery:
    """A subquery counting `queryset`'s rows for each outer row, 0 for none."""
    counted = queryset.order_by().values(group_by).annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def teacher_home(user) -> TeacherHome:
    home = TeacherHome()
    attempts = Attempt.objects.for_teacher(user)
    if user.has_perm("quizzes.change_response"):
        home.to_mark = (
            Response.objects.filter(attempt__in=attempts).filter(waiting_for_teacher()).count()
        )
    if not user.has_perm("classrooms.view_classroom"):
        return home
    home.shows_classes = True
    in_class = OuterRef("pk")
    waiting = Response.objects.filter(attempt__assignment__classroom=in_class).filter(
        waiting_for_teacher()
    )
    classes = Classroom.objects.for_teacher(user).annotate(
        student_count=count_of(Enrollment.objects.filter(classroom=in_class), "classroom"),
        waiting_count=count_of(waiting, "attempt__assignment__classroom"),
    )
    home.classes = list(classes[: MOST_CLASSES + 1])
    home.more_classes = len(home.classes) > MOST_CLASSES
    del home.classes[MOST_CLASSES:]
    home.recent = list(
        attempts.filter(assignment__isnull=False, submitted_at__gte=timezone.now() - RECENT)
        .values("assignment", "assignment__quiz__title", "assignment__classroom__name")
        .annotate(count=Count("pk"), latest=Max("submitted_at"))
        .order_by("-latest")[:MOST_RECENT]
    )
    return home
