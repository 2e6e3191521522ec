"""How a function becomes a teacher's task (see background.models.Task)."""

import functools
import logging

from django.tasks import task
from django.utils.translation import gettext as _

from background.models import Task

logger = logging.getLogger(__name__)


def teacher_task(function):
    """A django.tasks task run with a Task's id, that calls `function(task)`.

    A run that finds its Task over does nothing: a restarted run can meet a first one that
    did finish. When the function raises, the Task says it stopped (what was committed
    stays) and the error goes on to the worker's log and error reports.
    """

    @functools.wraps(function)
    def run(task_id: int) -> None:
        job = Task.objects.select_related("started_by").get(pk=task_id)
        if job.is_over:
            return
        try:
            function(job)
        except Exception:
            job.fail(
                _(
                    "This stopped with an error after %(done)s steps. What those steps did "
                    "stays; nothing else changed. The site's administrators are told of "
                    "errors; you may start it again."
                )
                % {"done": Task.objects.get(pk=task_id).done}
            )
            raise

    return task()(run)
