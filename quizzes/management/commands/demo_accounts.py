import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db.models import Q

from classrooms.models import Assignment, Classroom, Enrollment
from quizzes.models import Quiz

DEMO_ACCOUNTS = [
    # username, is_staff, description
    ("demo-teacher", True, "teacher: manages classes, quizzes and scores in /admin/"),
    ("demo-student", False, "student: takes quizzes"),
]
DEMO_CLASS = "Demo class"
TEACHERS_GROUP = "Teachers"


class Command(BaseCommand):
    help = (
        "Create (or reset) a demo teacher and a demo student, and print their logins; "
        "the teacher gets a demo class with the student in it."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        self.stdout.write(self.style.SUCCESS("Demo accounts (new passwords on every run):"))
        users = {}
        for username, is_staff, description in DEMO_ACCOUNTS:
            user, _created = User.objects.get_or_create(username=username)
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.is_staff = is_staff
            user.save()
            users[username] = user
            self.stdout.write(f"  {description}\n    username: {username}  password: {password}")
        teacher, student = users["demo-teacher"], users["demo-student"]
        # The group (a data migration makes it) carries the permissions, not the user.
        teacher.user_permissions.clear()
        teacher.groups.add(Group.objects.get(name=TEACHERS_GROUP))
        self.demo_class(teacher, student)

    def demo_class(self, teacher, student):
        classroom = Classroom.objects.filter(name=DEMO_CLASS, teachers=teacher).first()
        if classroom is None:
            classroom = Classroom.objects.create(name=DEMO_CLASS)
            classroom.teachers.add(teacher)
        Enrollment.objects.get_or_create(classroom=classroom, student=student)
        self.stdout.write(f"  {DEMO_CLASS}: join code {classroom.join_code}")
        quizzes = Quiz.objects.filter(is_practice=False)
        review = quizzes.filter(Q(slug__icontains="review") | Q(title__icontains="review")).first()
        topic = quizzes.exclude(pk=review.pk if review else None).first()
        if topic is None and review is None:
            self.stdout.write(
                self.style.WARNING(
                    "  No quizzes loaded (manage.py loaddata lessons quizzes), "
                    "so the demo class has no assignments yet."
                )
            )
            return
        if topic:
            Assignment.objects.get_or_create(
                classroom=classroom,
                quiz=topic,
                defaults={
                    "feedback_mode": Assignment.FeedbackMode.DEFERRED,
                    "time_limit": timedelta(minutes=20),
                },
            )
        if review:
            Assignment.objects.get_or_create(
                classroom=classroom,
                quiz=review,
                defaults={"feedback_mode": Assignment.FeedbackMode.IMMEDIATE},
            )
        titles = ", ".join(str(quiz) for quiz in (topic, review) if quiz)
        self.stdout.write(f"  assignments: {titles}")
