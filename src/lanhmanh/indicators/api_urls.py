"""Routes of the indicator API, to include under ``/api/v1/`` (before the API's catch-all)."""

from django.urls import re_path

from lanhmanh.indicators import api

urlpatterns = [
    re_path(r"^indicators/?$", api.IndicatorListView.as_view(), name="indicator-list"),
    re_path(
        r"^indicators/(?P<code>[a-z0-9_.]+)/values/?$",
        api.IndicatorValuesView.as_view(),
        name="indicator-values",
    ),
]
