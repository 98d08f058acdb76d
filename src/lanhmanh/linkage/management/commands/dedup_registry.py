"""``manage.py dedup_registry``: one deduplication run in the foreground, with a progress line."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lanhmanh.core.models import JobStatus
from lanhmanh.linkage.models import DedupRun
from lanhmanh.linkage.services import AUTO_PRECISION, AUTO_PRECISIONS, run_create, run_execute


class Command(BaseCommand):
    help = "Rà soát hồ sơ trùng trong cơ sở dữ liệu: tự động hợp nhất cặp chắc chắn, đưa cặp còn nghi vào hàng đợi."

    def add_arguments(self, parser):
        parser.add_argument(
            "--precision",
            type=float,
            default=AUTO_PRECISION,
            help=(
                "độ chính xác ước tính tối thiểu của việc tự động hợp nhất, một trong "
                + ", ".join(f"{p:g}" for p in AUTO_PRECISIONS)
                + f" (mặc định {AUTO_PRECISION:g})"
            ),
        )

    def handle(self, *args, **options):
        def show(current: DedupRun) -> None:
            job = current.job
            bar = "#" * (job.percent // 5)
            self.stdout.write(f"\r[{bar:<20}] {job.percent:3d}% {job.step_label}", ending="")
            self.stdout.flush()

        try:
            run = run_create(precision=options["precision"])
        except ValidationError as error:
            raise CommandError("--precision: " + " ".join(error.message_dict["precision"])) from error
        run = run_execute(run, on_progress=show)
        self.stdout.write("")
        if run.blocking:
            self.stdout.write(run.blocking)
        if run.job.status == JobStatus.FAILED:
            self.stderr.write(f"Lỗi: {run.job.errors}")
            return
        self.stdout.write(
            f"{run.records} hồ sơ; tự động hợp nhất {run.auto_merged}; {run.queued} cặp chờ xem xét."
        )
        if run.estimated_precision is not None:
            self.stdout.write(
                f"Ước tính tại ngưỡng tự động hợp nhất {run.threshold:g}: độ chính xác {run.estimated_precision:.4f}, "
                f"độ phủ {run.estimated_recall:.4f} (từ xác suất trùng của mô hình và {run.labelled} cặp đã có kết luận); "
                f"khoảng {run.expected_wrong} cặp tự động hợp nhất có thể sai (độ chính xác yêu cầu {run.precision:g})."
            )
