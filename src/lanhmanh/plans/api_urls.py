"""Routes of the plans API, to include under ``/api/v1/`` (before the API's catch-all)."""

from django.urls import re_path

from lanhmanh.plans import api

urlpatterns = [
    re_path(r"^plans/?$", api.PlanListView.as_view(), name="plan-list"),
    re_path(r"^plans/(?P<pk>\d+)/progress/?$", api.PlanProgressView.as_view(), name="plan-progress"),
]
