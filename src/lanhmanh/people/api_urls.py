"""Routes of the registry API, included under ``/api/v1/`` (before the API's catch-all)."""

from django.urls import re_path

from lanhmanh.people import api

urlpatterns = [
    re_path(r"^people/?$", api.PersonLookupView.as_view(), name="people-lookup"),
    re_path(r"^people/violations/?$", api.ViolationCreateView.as_view(), name="people-violation-create"),
    re_path(
        r"^people/(?P<pk>\d+)/violations/?$", api.PersonViolationsView.as_view(), name="people-violations"
    ),
]
