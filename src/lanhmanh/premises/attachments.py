"""Inspection attachments (photos taken at the place, scans of the signed minutes) go through the upload
service (``core.uploads``): pictures (metadata stripped) and PDF scans up to 10 MB, readable by whoever may
read the inspection they belong to."""

from __future__ import annotations

from lanhmanh.core.uploads import IMAGES, MB, UploadPolicy, kinds, register
from lanhmanh.premises.selectors import inspections_visible

ATTACHMENT = "premises.inspection-attachment"
MAX_BYTES = 10 * MB


def can_read_attachment(user, stored) -> bool:
    return inspections_visible(user).filter(attachments__file=stored).exists()


register(UploadPolicy(ATTACHMENT, kinds(IMAGES, {"pdf"}), MAX_BYTES, can_read_attachment))
