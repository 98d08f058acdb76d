"""Task evidence files go through the upload service (``core.uploads``): documents and pictures up to
10 MB, readable by whoever may open the task."""

from __future__ import annotations

from lanhmanh.core.uploads import DOCUMENTS, IMAGES, MB, UploadPolicy, kinds, register
from lanhmanh.plans.selectors import tasks_for

EVIDENCE = "plans.task-evidence"


def can_read_evidence(user, stored) -> bool:
    return tasks_for(user).filter(evidence_upload=stored).exists()


register(UploadPolicy(EVIDENCE, kinds(DOCUMENTS, IMAGES), 10 * MB, can_read_evidence))
