from django.core.management.base import BaseCommand

from quizzes.models import Attempt


class Command(BaseCommand):
    help = (
        "Submit every attempt whose time limit or due date has passed. Pages do this as they "
        "are visited; run this from cron so gradebooks are complete even if nobody visits."
    )

    def handle(self, *args, **options):
        closed = Attempt.objects.close_expired()
        self.stdout.write(f"Submitted {closed} expired attempt(s).")
