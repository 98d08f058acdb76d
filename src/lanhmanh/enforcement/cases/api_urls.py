"""Routes of the criminal-case API, included under ``/api/v1/`` (before the API's catch-all)."""

from django.urls import re_path

from lanhmanh.enforcement.cases import api

urlpatterns = [
    re_path(r"^cases/?$", api.CaseListView.as_view(), name="cases-list"),
    re_path(r"^cases/(?P<pk>\d+)/?$", api.CaseDetailView.as_view(), name="cases-detail"),
    re_path(r"^cases/(?P<pk>\d+)/stages/?$", api.CaseStageView.as_view(), name="cases-stage"),
]
