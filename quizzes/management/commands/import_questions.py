from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lessons.models import Lesson
from quizzes.interchange import report
from quizzes.models import Quiz


class Command(BaseCommand):
    help = (
        "Import questions from a GIFT, Aiken or Moodle XML file into a quiz (made when "
        "missing). Prints what will be created, changed or left out; writes only without "
        "--dry-run, and nothing at all when any line can't be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file to read (UTF-8, up to 1 MB).")
        parser.add_argument("--quiz", required=True, help="The quiz's slug; made when missing.")
        parser.add_argument(
            "--format",
            choices=list(report.READERS),
            default="",
            help="The file's format; detected when left out.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the report only.")
        parser.add_argument("--lesson", help="A new quiz's lesson (slug): the first by default.")
        parser.add_argument(
            "--owner",
            help="The teacher (username) who owns a new quiz and must own an existing one.",
        )

    def handle(self, *args, file, quiz, format, dry_run, lesson, owner, **options):
        user = None
        if owner:
            try:
                user = get_user_model().objects.get_by_natural_key(owner)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {owner}.") from None
        target = Quiz.objects.filter(slug=quiz).first()
        if target is None:
            lessons = Lesson.objects.order_by("pk")
            chosen = lessons.filter(slug=lesson).first() if lesson else lessons.first()
            if chosen is None:
                raise CommandError(f"No lesson {lesson}." if lesson else "There is no lesson.")
            target = report.new_quiz(quiz, chosen)
            if user is None:
                self.stderr.write(
                    "The new quiz will have no owner, so only superusers may change it: "
                    "name its teacher with --owner."
                )
        elif user is not None and not target.is_editable_by(user):
            raise CommandError(
                f"{owner} doesn't own the quiz {quiz}: only its owners import into it."
            )
        try:
            data = report.decode(Path(file).read_bytes())
            run = report.plan if dry_run else report.apply
            found = run(data, target, user, format)
        except OSError as error:
            raise CommandError(f"Can't read {file}: {error.strerror}.") from None
        except report.ImportRefused as error:
            raise CommandError(str(error)) from None
        for line in found.lines():
            self.stdout.write(line)
        if found.problems:
            raise CommandError(f"{len(found.problems)} problem(s): nothing imported.")
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
        elif found.applied:
            self.stdout.write(
                self.style.SUCCESS(f"Imported {len(found.created)} questions into {target.slug}.")
            )
        else:
            raise CommandError("No question to import.")
