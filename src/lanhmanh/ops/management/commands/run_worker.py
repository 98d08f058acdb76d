"""The background worker for production: django-tasks' ``db_worker`` plus a heartbeat for ``/healthz``,
the recovery of tasks a killed worker left running (see ``ops.worker``), and a database restart survived:
the worker waits for the database and resumes instead of exiting."""

import logging
import time

from django.db import InterfaceError, OperationalError, connection
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from lanhmanh.ops.worker import Heartbeat, beat, recover_orphaned_tasks

logger = logging.getLogger("lanhmanh.worker")

# After losing the database: wait this long, then try again (until it answers).
RETRY_SECONDS = 2.0


class Command(DbWorkerCommand):
    help = "Chạy tiến trình xử lý nền (nhập danh sách, ghép hồ sơ, báo cáo) với nhịp báo cho /healthz."

    def handle(self, *args, **options):
        heartbeat = Heartbeat(options["worker_id"])
        self.wait_for_database(
            lambda: (beat(heartbeat.worker_id, heartbeat.started_at), recover_orphaned_tasks())
        )
        heartbeat.start()
        try:
            while True:
                try:
                    super().handle(*args, **options)
                    return
                except (OperationalError, InterfaceError):
                    # A restart of the database: the task being run (one transaction) died with its
                    # connection, so nothing of it was written; it is failed cleanly once the database is
                    # back (its job says so: an import's officer confirms again), then work resumes.
                    logger.warning("Database unavailable: the worker waits and resumes")
                    connection.close()
                    time.sleep(RETRY_SECONDS)
                    self.wait_for_database(lambda: recover_orphaned_tasks(gone=heartbeat.worker_id))
        finally:
            heartbeat.stop()

    @staticmethod
    def wait_for_database(action) -> None:
        while True:
            try:
                action()
                return
            except (OperationalError, InterfaceError):
                connection.close()
                time.sleep(RETRY_SECONDS)
