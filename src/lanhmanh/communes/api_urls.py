"""Routes of the communes API, to include under ``/api/v1/`` (before the API's catch-all)."""

from django.urls import re_path

from lanhmanh.communes import api

urlpatterns = [
    re_path(r"^communes/assessments/?$", api.AssessmentListView.as_view(), name="commune-assessment-list"),
    re_path(
        r"^communes/assessments/(?P<pk>\d+)/?$",
        api.AssessmentDetailView.as_view(),
        name="commune-assessment-detail",
    ),
    re_path(
        r"^communes/assessments/(?P<pk>\d+)/self/?$",
        api.AssessmentSelfView.as_view(),
        name="commune-assessment-self",
    ),
    re_path(
        r"^communes/assessments/(?P<pk>\d+)/review/?$",
        api.AssessmentReviewView.as_view(),
        name="commune-assessment-review",
    ),
]
