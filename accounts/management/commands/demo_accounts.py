import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts.groups import TEACHERS_GROUP

DEMO_ACCOUNTS = [
    # username, is_staff, description
    ("demo-teacher", True, "teacher: manages classes, quizzes and scores in /admin/"),
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
            self.stdout.write(f"  {description}\n    username: {username}  password: {password}")
            if is_staff:
                # The group (a data migration makes it) carries the permissions, not the user.
                user.user_permissions.clear()
                user.groups.add(Group.objects.get(name=TEACHERS_GROUP))
