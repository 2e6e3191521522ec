"""A teacher's work that runs in the background, with the progress its page shows.

A Task row is what the teacher sees: what the work is, how far it has got, what it did. The
work itself is a django.tasks task (background.work.teacher_task) given the row's id and run
by `manage.py worker`. It reports on the row inside its own transactions, so a page never
shows as done what was not committed, and a run killed halfway is started again by another
worker (Task.objects.restart_stalled), from what was committed.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class TaskQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=[Task.Status.QUEUED, Task.Status.RUNNING])

    def running(self, work, *, by, arguments: dict):
        """The unfinished task `by` started for `work` on the same things, if any."""
        return self.unfinished().filter(started_by=by, work=work.module_path, arguments=arguments)

    def restart_stalled(self, now=None) -> list[int]:
        """Enqueue again every unfinished task that has shown no sign of life for a while
        (its worker was killed, or its machine is gone)."""
        now = now or timezone.now()
        restarted = []
        for task in self.unfinished().filter(heartbeat_at__lt=now - settings.TASK_STALLED_AFTER):
            # Only one worker restarts it: the one whose update finds it still stalled.
            still_stalled = self.filter(pk=task.pk, heartbeat_at=task.heartbeat_at)
            if still_stalled.update(heartbeat_at=now):
                import_string(task.work).enqueue(task.pk)
                restarted.append(task.pk)
        return restarted


class Task(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Stopped")

    title = models.CharField(_("task"), max_length=300)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("started by"),
    )
    # The module path of the django.tasks task that does the work, given this row's id.
    work = models.CharField(max_length=200)
    arguments = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)  # None: done in one step
    # Counts the work keeps across its runs (scores changed...), for its outcome.
    tally = models.JSONField(default=dict, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    # Where the teacher goes on from the finished task: the link and its words.
    next_url = models.CharField(max_length=500, blank=True)
    next_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background task")
        verbose_name_plural = _("background tasks")

    def __str__(self):
        return self.title

    @classmethod
    def start(
        cls, work, *, title: str, by, arguments: dict, next_url: str = "", next_label: str = ""
    ) -> "Task":
        """Queue `work` (a teacher_task) for a new Task; or, when `by` already waits for the
        same work on the same things (a second click), that one."""
        with transaction.atomic():
            if task := cls.objects.running(work, by=by, arguments=arguments).first():
                return task
            task = cls.objects.create(
                title=title[:300],
                started_by=by,
                work=work.module_path,
                arguments=arguments,
                next_url=next_url,
                next_label=next_label,
            )
            # The queued task is a row of the same database: it commits with this one or not at all.
            work.enqueue(task.pk)
        return task

    @property
    def is_over(self) -> bool:
        return self.status in {self.Status.FINISHED, self.Status.FAILED}

    @property
    def is_counted(self) -> bool:
        return self.total is not None

    def begin(self, *, total: int | None = None, done: int = 0) -> None:
        """Called by the work as a run starts, with how many steps it will take."""
        self.total, self.done = total, done
        self._write(status=self.Status.RUNNING, total=total, done=done)

    def advance(self, steps: int = 1, **tally: int) -> None:
        """One or more steps done, with what they changed. Call it inside the transaction
        that does the steps' work, so that the page counts them once they are committed."""
        with transaction.atomic():
            locked = Task.objects.select_for_update().get(pk=self.pk)
            for name, count in tally.items():
                locked.tally[name] = locked.tally.get(name, 0) + count
            self.tally, self.done = locked.tally, locked.done + steps
            self._write(done=self.done, tally=self.tally)

    def finish(self, outcome: str, **changes) -> None:
        self._write(
            status=self.Status.FINISHED, outcome=outcome, finished_at=timezone.now(), **changes
        )

    def fail(self, outcome: str, **changes) -> None:
        # Never over a finish: a run restarted while the first still ran may fail after it.
        unfinished = Task.objects.filter(pk=self.pk).exclude(status=self.Status.FINISHED)
        unfinished.update(
            status=self.Status.FAILED,
            outcome=outcome,
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            **changes,
        )

    def _write(self, **fields) -> None:
        Task.objects.filter(pk=self.pk).update(heartbeat_at=timezone.now(), **fields)
