"""A quiz's teacher work that can take longer than a page should wait, run by the worker
(see background.models.Task): a regrade of many attempts, a file of many questions."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from background.work import teacher_task
from quizzes import marking
from quizzes.interchange import report
from quizzes.models import Attempt, Question, Quiz


@teacher_task
def regrade(job) -> None:
    """Score again the answers to a question in the attempts of its starter's classes."""
    question = Question.objects.get(pk=job.arguments["question"])
    attempts = Attempt.objects.for_teacher(job.started_by)
    marking.regrade(question, attempts, by=job.started_by, dry_run=False, progress=job)
    job.finish(
        _("Regraded %(total)s attempts: %(changed)s scores changed, in %(attempts)s attempts.")
        % {
            "total": job.total,
            "changed": job.tally.get("changed", 0),
            "attempts": job.tally.get("attempts", 0),
        }
    )


@teacher_task
def import_questions(job) -> None:
    """Read a file of questions again and write them into a quiz, all in one transaction
    with the task's end: every question, or none (a killed run leaves nothing behind)."""
    quiz = Quiz.objects.get(pk=job.arguments["quiz"])
    job.begin()
    try:
        with transaction.atomic():
            found = report.apply(
                job.arguments["text"], quiz, job.started_by, job.arguments["format"]
            )
            if found.applied:
                count = len(found.created)
                job.finish(
                    ngettext(
                        "%(count)s question imported. Choose each one's evidence and level.",
                        "%(count)s questions imported. Choose each one's evidence and level.",
                        count,
                    )
                    % {"count": count},
                    arguments={},  # the file's text is no longer needed
                )
                return
    except report.ImportRefused as refusal:
        job.fail(_("Nothing was imported: %(reason)s") % {"reason": refusal}, arguments={})
        return
    job.fail(
        _(
            "Nothing was imported: reading the file again found problems. Open the import "
            "page again to see the report."
        ),
        arguments={},
    )
