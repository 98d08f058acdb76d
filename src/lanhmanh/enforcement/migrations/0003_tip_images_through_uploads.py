"""Tip images go through the shared upload service (``core.uploads``): each attachment points at a
``core.StoredFile``. Images stored before are moved into the service's layout (a frozen copy of what
``core.uploads.upload_store`` writes: generated name under UPLOAD_ROOT, size, SHA-256), nothing lost."""

import hashlib
import uuid
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

PURPOSE = "enforcement.tip-image"
KINDS = {"image/jpeg": ("jpeg", "jpg"), "image/png": ("png", "png"), "image/webp": ("webp", "webp")}


def move_images(apps, schema_editor):
    TipAttachment = apps.get_model("enforcement", "TipAttachment")
    StoredFile = apps.get_model("core", "StoredFile")
    old_root = Path(settings.UPLOAD_ROOT) / "tip-images"
    for attachment in TipAttachment.objects.all().iterator():
        content = (old_root / attachment.image.name).read_bytes()
        kind, extension = KINDS.get(attachment.content_type, ("jpeg", "jpg"))
        uploaded_at = attachment.added_at or timezone.now()
        stored = StoredFile(
            id=uuid.uuid4(),
            purpose=PURPOSE,
            kind=kind,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            original_name=f"anh-tin-bao.{extension}",
            uploaded_at=uploaded_at,
        )
        stored.relative_path = f"{PURPOSE.replace('.', '/')}/{uploaded_at:%Y}/{stored.id.hex}"
        target = Path(settings.UPLOAD_ROOT) / stored.relative_path
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        target.write_bytes(content)
        target.chmod(0o640)
        stored.save(force_insert=True)
        attachment.file_id = stored.id
        attachment.save(update_fields=["file"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_storedfile"),
        ("enforcement", "0002_hotspot_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="tipattachment",
            name="file",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.storedfile",
            ),
        ),
        migrations.RunPython(move_images, migrations.RunPython.noop, elidable=False),
    ]
