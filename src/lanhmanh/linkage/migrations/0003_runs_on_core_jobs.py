"""A deduplication run's status, progress, stage, error, owner and times move to its job (``core.Job``,
kind "linkage.dedup", subject the run); the run keeps its results. The free-text stage becomes a step code
(its Vietnamese text matched; an unknown one is "waiting", a done run's "finished"). Reversible."""

from django.db import migrations

KIND = "linkage.dedup"  # frozen copy of linkage.models.DEDUP_RUN_JOB.code
STEPS = {  # frozen: the stages run_execute wrote, and their steps (linkage.models.RunStep)
    "Đọc hồ sơ": "read",
    "Chuẩn bị và huấn luyện mô hình": "prepare",
    "Đếm số cặp theo từng luật chặn": "blocking",
    "Chấm điểm các cặp": "score",
    "Hợp nhất": "merge",
    "Lập hàng đợi xem xét": "queue",
    "Xong": "finished",
}


def step_of(stage: str, status: str) -> str:
    if status == "done":
        return "finished"
    if stage.startswith("Hợp nhất"):
        return "merge"
    return STEPS.get(stage, "waiting")


def runs_to_jobs(apps, schema_editor):
    DedupRun = apps.get_model("linkage", "DedupRun")
    Job = apps.get_model("core", "Job")
    for run in DedupRun.objects.order_by("pk"):
        job = Job.objects.create(
            kind=KIND,
            subject_id=run.pk,
            owner_id=run.started_by_id,
            status=run.status,
            step=step_of(run.stage, run.status),
            percent=run.progress,
            errors=run.error,
            started_at=None if run.status == "queued" else run.created_at,
            finished_at=run.finished_at,
        )
        Job.objects.filter(pk=job.pk).update(created_at=run.created_at)  # auto_now_add set it to now


def jobs_to_runs(apps, schema_editor):
    DedupRun = apps.get_model("linkage", "DedupRun")
    Job = apps.get_model("core", "Job")
    stages = {step: stage for stage, step in STEPS.items()}
    for job in Job.objects.filter(kind=KIND).order_by("pk"):
        DedupRun.objects.filter(pk=job.subject_id).update(
            status=job.status,
            progress=job.percent,
            stage=stages.get(job.step, ""),
            error=job.errors,
            started_by_id=job.owner_id,
            created_at=job.created_at,
            finished_at=job.finished_at,
        )
    Job.objects.filter(kind=KIND).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("linkage", "0002_review_clusters"),
        ("core", "0008_job"),
        # Its jobs keep their ids: they are moved in first.
        ("people", "0008_import_jobs_to_core"),
    ]

    operations = [
        migrations.RunPython(runs_to_jobs, jobs_to_runs),
        migrations.AlterModelOptions(
            name="deduprun",
            options={
                "ordering": ["-id"],
                "verbose_name": "lần rà soát trùng",
                "verbose_name_plural": "lần rà soát trùng",
            },
        ),
        migrations.RemoveConstraint(
            model_name="deduprun",
            name="dedup_progress_percent",
        ),
        migrations.RemoveField(
            model_name="deduprun",
            name="created_at",
        ),
        migrations.RemoveField(
            model_name="deduprun",
            name="error",
        ),
        migrations.RemoveField(
            model_name="deduprun",
            name="finished_at",
        ),
        migrations.RemoveField(
            model_name="deduprun",
            name="progress",
        ),
        migrations.RemoveField(
            model_name="deduprun",
            name="stage",
        ),
        migrations.RemoveField(
            model_name="deduprun",
            name="started_by",
        ),
        migrations.RemoveField(
            model_name="deduprun",
            name="status",
        ),
    ]
