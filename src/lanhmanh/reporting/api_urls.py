"""Routes of the reporting API, included under ``/api/v1/`` (before the API's catch-all)."""

from django.urls import re_path

from lanhmanh.reporting import api

urlpatterns = [
    re_path(r"^reports/forms/?$", api.FormListView.as_view(), name="report-forms"),
    re_path(r"^reports/expected/?$", api.ExpectedListView.as_view(), name="report-expected"),
    re_path(r"^reports/submissions/?$", api.SubmissionCreateView.as_view(), name="report-submit"),
    re_path(
        r"^reports/submissions/(?P<pk>\d+)/?$", api.SubmissionDetailView.as_view(), name="report-submission"
    ),
]
