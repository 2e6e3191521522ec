import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand

DEMO_ACCOUNTS = [
    # username, is_staff, description
    ("demo-teacher", True, "teacher: manages lessons, quizzes and scores in /admin/"),
    ("demo-student", False, "student: takes quizzes"),
]


class Command(BaseCommand):
    help = "Create (or reset) a demo teacher and a demo student, and print their logins."

    def handle(self, *args, **options):
        User = get_user_model()
        self.stdout.write(self.style.SUCCESS("Demo accounts (new passwords on every run):"))
        for username, is_staff, description in DEMO_ACCOUNTS:
            user, _created = User.objects.get_or_create(username=username)
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.is_staff = is_staff
            user.save()
            if is_staff:
                user.user_permissions.set(
                    Permission.objects.filter(content_type__app_label__in=["lessons", "quizzes"])
                )
            self.stdout.write(f"  {description}\n    username: {username}  password: {password}")
