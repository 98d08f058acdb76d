"""A record of personal data reduced to what the scoping kernel looks at (installed only in tests)."""

from django.db import models

from lanhmanh.core.scoping import DataClass


class Dossier(models.Model):
    name = models.CharField(max_length=100)
    data_class = models.CharField(max_length=20, choices=DataClass.choices)
    residence_unit = models.ForeignKey(
        "org.AdministrativeUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handling_unit = models.ForeignKey(
        "org.AdministrativeUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
