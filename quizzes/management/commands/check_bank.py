from django.core.management.base import BaseCommand, CommandError

from quizzes import bank_quality
from quizzes.models import Quiz


class Command(BaseCommand):
    help = (
        "Check quizzes for giveaway cues (a longest or much longer right option, a prompt or "
        "explanation that answers another question, true/false keys all one way), matching "
        "pairs and ordering items missing from the cited sections, and levels that don't "
        "match what a question asks. Exits with an error when any quiz has a problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Quiz slugs; every quiz when none is given.")

    def handle(self, *args, slugs, **options):
        quizzes = Quiz.objects.order_by("lesson", "position", "slug")
        if slugs:
            quizzes = quizzes.filter(slug__in=slugs)
            unknown = sorted(set(slugs) - {quiz.slug for quiz in quizzes})
            if unknown:
                raise CommandError(f"No quiz with the slug {', '.join(unknown)}.")
        failed = 0
        for quiz in quizzes:
            problems = bank_quality.quiz_problems(quiz)
            if not problems:
                self.stdout.write(f"{quiz.slug}: no problems.")
                continue
            failed += 1
            self.stdout.write(f"{quiz.slug}: {len(problems)} problem(s)")
            for problem in problems:
                self.stdout.write(f"  [{problem.rule}] {problem.message}")
        if failed:
            raise CommandError(f"{failed} quiz(zes) failed the bank check.")
