"""The background worker for production: django-tasks' ``db_worker`` plus a heartbeat for ``/healthz``
and, at start, the recovery of tasks a killed worker left running (see ``ops.worker``)."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from lanhmanh.ops.worker import Heartbeat, beat, recover_orphaned_tasks


class Command(DbWorkerCommand):
    help = "Chạy tiến trình xử lý nền (nhập danh sách, ghép hồ sơ, báo cáo) với nhịp báo cho /healthz."

    def handle(self, *args, **options):
        heartbeat = Heartbeat(options["worker_id"])
        beat(heartbeat.worker_id, heartbeat.started_at)
        recover_orphaned_tasks()
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
