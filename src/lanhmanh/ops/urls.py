from django.urls import path

from lanhmanh.ops.health import healthz

urlpatterns = [path("healthz", healthz, name="healthz")]
