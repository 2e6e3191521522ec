"""Teachers' work that takes longer than a page should wait, run in the background by
`manage.py worker` (bin/worker), and the worker's housekeeping.

A class list of 300 costs 300 password hashes: minutes, longer than a proxy waits for a
page. The page that starts an import answers at once and shows its progress
(admin_views.roster_progress) while the worker makes the accounts one at a time.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from background.models import Task
from background.work import teacher_task
from classrooms.models import Assignment, Enrollment, ImportedStudent, RosterImport, WorkerHeartbeat
from classrooms.students import new_password
from quizsite.sealed import seal
from quizzes.models import Attempt

# First passwords are kept, sealed, this long after an import ends, unless the teacher
# says they have them sooner.
PASSWORDS_KEPT_FOR = timedelta(days=1)


@task()
def import_roster(import_id: int) -> None:
    """Create the students of a RosterImport that aren't created yet, one at a time."""
    roster_import = RosterImport.objects.get(pk=import_id)
    RosterImport.objects.filter(pk=import_id, status=RosterImport.Status.QUEUED).update(
        status=RosterImport.Status.RUNNING
    )
    made = set(roster_import.students.values_list("line", flat=True))
    for row in roster_import.rows:
        if row["line"] not in made:
            create_student(roster_import, row)
    RosterImport.objects.filter(pk=import_id).update(
        status=RosterImport.Status.FINISHED, finished_at=timezone.now()
    )


def create_student(roster_import: RosterImport, row: dict) -> None:
    """One student of the list, enrolled, with a sealed first password: all or nothing, and
    at most once, even when two runs of the import meet (after a restart)."""
    password = new_password()
    hashed = make_password(password)  # the slow part, outside the transaction
    User = get_user_model()
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
        if locked.students.filter(line=row["line"]).exists():
            return
        try:
            with transaction.atomic():
                student = User.objects.create(
                    username=row["email"],
                    email=row["email"],
                    password=hashed,
                    first_name=row["first_name"],
                    last_name=row["last_name"],
                )
        except IntegrityError:  # someone made this account since the list was checked
            locked.problems.append(
                _("Line %(line)s: %(email)s got an account meanwhile; it was left as it is.") % row
            )
            ImportedStudent.objects.create(roster_import=locked, line=row["line"])
        else:
            Enrollment.objects.create(
                classroom_id=locked.classroom_id,
                student=student,
                origin=Enrollment.Origin.CLASS_LIST,
            )
            ImportedStudent.objects.create(
                roster_import=locked,
                line=row["line"],
                student=student,
                sealed_password=seal(password),
            )
        locked.heartbeat_at = timezone.now()
        locked.save(update_fields=["problems", "heartbeat_at"])


@teacher_task
def move_to_current_versions(job) -> None:
    """Move an assignment to the current versions of its questions (see
    Assignment.move_to_current_versions), one question at a time."""
    assignment = Assignment.objects.get(pk=job.arguments["assignment"])
    assignment.move_to_current_versions(by=job.started_by, dry_run=False, progress=job)
    job.finish(
        ngettext(
            "The assignment shows the current version of %(count)s question from now on; "
            "%(changed)s scores changed.",
            "The assignment shows the current versions of %(count)s questions from now on; "
            "%(changed)s scores changed.",
            job.total,
        )
        % {"count": job.total, "changed": job.tally.get("changed", 0)}
    )


def housekeeping(worker_id: str, now=None) -> None:
    """What the worker does every little while: say it is alive, submit attempts whose time
    ran out (pages do it too, when visited), start again imports that lost their worker,
    and forget first passwords kept long enough."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": now})
    Attempt.objects.close_expired()
    restart_stalled(now)
    Task.objects.restart_stalled(now)
    ImportedStudent.objects.filter(roster_import__finished_at__lt=now - PASSWORDS_KEPT_FOR).exclude(
        sealed_password=""
    ).update(sealed_password="")


def restart_stalled(now=None) -> list[int]:
    """Enqueue again every unfinished import that has shown no progress for a while."""
    now = now or timezone.now()
    restarted = []
    stalled = RosterImport.objects.exclude(status=RosterImport.Status.FINISHED).filter(
        heartbeat_at__lt=now - settings.TASK_STALLED_AFTER
    )
    for roster_import in stalled:
        # Only one worker restarts it: the one whose update finds it still stalled.
        still_stalled = RosterImport.objects.filter(
            pk=roster_import.pk, heartbeat_at=roster_import.heartbeat_at
        )
        if still_stalled.update(heartbeat_at=now):
            import_roster.enqueue(roster_import.pk)
            restarted.append(roster_import.pk)
    return restarted
