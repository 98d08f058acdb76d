"""Routes of the establishment register's API, included under ``/api/v1/``."""

from django.urls import re_path

from lanhmanh.premises import api

urlpatterns = [
    re_path(r"^establishments/?$", api.EstablishmentListView.as_view(), name="premises-establishments"),
    re_path(
        r"^establishments/(?P<pk>\d+)/?$",
        api.EstablishmentDetailView.as_view(),
        name="premises-establishment",
    ),
    re_path(r"^inspections/?$", api.InspectionListView.as_view(), name="premises-inspections"),
    re_path(r"^police-checks/?$", api.PoliceCheckListView.as_view(), name="premises-police-checks"),
    re_path(r"^licence-eligibility/?$", api.EligibilityView.as_view(), name="premises-eligibility"),
]
