"""Evidence files of healthy-commune assessments go through the upload service (``core.uploads``):
documents and pictures up to 10 MB, readable by whoever may open the assessment (its commune, district
and city; 404 for everyone else)."""

from __future__ import annotations

from lanhmanh.communes.selectors import assessments_for
from lanhmanh.core.uploads import DOCUMENTS, IMAGES, MB, UploadPolicy, kinds, register

EVIDENCE = "communes.evidence"
MAX_BYTES = 10 * MB


def can_read_evidence(user, stored) -> bool:
    return assessments_for(user).filter(files__upload=stored).exists()


register(UploadPolicy(EVIDENCE, kinds(DOCUMENTS, IMAGES), MAX_BYTES, can_read_evidence))
