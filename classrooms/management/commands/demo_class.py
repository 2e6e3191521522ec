from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db.models import Q

from classrooms.models import Assignment, Classroom, Enrollment
from quizzes.models import Quiz

DEMO_CLASS = "Demo class"


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo accounts (manage.py demo_accounts) and print their "
        "logins; the demo teacher gets a demo class with the demo student in it."
    )

    def handle(self, *args, **options):
        call_command("demo_accounts", stdout=self.stdout, stderr=self.stderr)
        User = get_user_model()
        teacher = User.objects.get(username="demo-teacher")
        student = User.objects.get(username="demo-student")
        classroom = Classroom.objects.filter(name=DEMO_CLASS, teachers=teacher).first()
        if classroom is None:
            classroom = Classroom.objects.create(name=DEMO_CLASS)
            classroom.teachers.add(teacher)
        Enrollment.objects.get_or_create(classroom=classroom, student=student)
        self.stdout.write(f"  {DEMO_CLASS}: join code {classroom.join_code}")
        self.demo_assignments(classroom)

    def demo_assignments(self, classroom):
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
