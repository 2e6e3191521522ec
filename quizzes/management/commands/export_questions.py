from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.interchange import report
from quizzes.models import Quiz


class Command(BaseCommand):
    help = "Write a quiz's questions in GIFT or Moodle XML, to standard output or a file."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The quiz's slug.")
        parser.add_argument("--format", choices=["gift", "moodlexml"], default="gift")
        parser.add_argument("-o", "--output", help="The file to write; standard output by default.")

    def handle(self, *args, slug, format, output, **options):
        quiz = Quiz.objects.filter(slug=slug).first()
        if quiz is None:
            raise CommandError(f"No quiz with the slug {slug}.")
        text, left_out = report.export([quiz], format)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
        if left_out:
            self.stderr.write(
                f"GIFT can't hold {len(left_out)} question(s), left out: {', '.join(left_out)}. "
                "Export to Moodle XML to take them."
            )
