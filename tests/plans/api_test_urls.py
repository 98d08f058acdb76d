"""The project's URLs plus the indicator and plan API routes, until the API app includes them."""

from django.urls import include, path

from lanhmanh.config.urls import urlpatterns as project

urlpatterns = [
    path("api/v1/", include("lanhmanh.indicators.api_urls")),
    path("api/v1/", include("lanhmanh.plans.api_urls")),
    *project,
]
