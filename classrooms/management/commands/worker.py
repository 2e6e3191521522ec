"""Run the background worker: the tasks in the database (django-tasks-db's worker) and,
beside them, the housekeeping (classrooms.tasks.housekeeping) every half minute."""

import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from classrooms.models import WorkerHeartbeat
from classrooms.tasks import housekeeping


def database_worker(worker_id: str, *, interval: float, batch: bool = False) -> Worker:
    """django-tasks-db's worker, over every queue of the default backend."""
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


class Command(BaseCommand):
    help = "Run background tasks and housekeeping until stopped; --status: when workers last ran."

    def add_arguments(self, parser):
        parser.add_argument("--status", action="store_true", help="Show each worker's last sign.")
        parser.add_argument(
            "--interval", type=float, default=1, help="Seconds between looks for new tasks."
        )
        parser.add_argument(
            "--housekeeping-every", type=float, default=30, help="Seconds between housekeeping."
        )

    def handle(self, *args, status=False, interval=1, housekeeping_every=30, **options):
        if status:
            return self.show_status()
        worker_id = get_random_string(32)
        threading.Thread(
            target=self.keep_house, args=[worker_id, housekeeping_every], daemon=True
        ).start()
        worker = database_worker(worker_id, interval=interval)
        worker.configure_signals()
        self.stdout.write(f"Worker {worker_id} started.")
        worker.run()

    def keep_house(self, worker_id, every):
        while True:
            try:
                housekeeping(worker_id)
            except Exception:  # a database restart: try again next time
                self.stderr.write("Housekeeping failed; trying again shortly.")
            finally:
                close_old_connections()
            time.sleep(every)

    def show_status(self):
        now = timezone.now()
        beats = WorkerHeartbeat.objects.order_by("-seen_at")
        if not beats:
            self.stdout.write("No worker has run yet.")
        for beat in beats:
            ago = int((now - beat.seen_at).total_seconds())
            self.stdout.write(f"{beat.worker_id}: last seen {ago} s ago ({beat.seen_at:%c})")
