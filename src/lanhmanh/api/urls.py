from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from lanhmanh.api import errors, views

app_name = "api"

router = SimpleRouter()
router.trailing_slash = "/?"  # /api/v1/units and /api/v1/units/ both work: API clients rarely add the slash
router.register("units", views.UnitViewSet, basename="unit")
router.register("agencies", views.AgencyViewSet, basename="agency")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/", include("lanhmanh.indicators.api_urls")),
    path("v1/", include("lanhmanh.plans.api_urls")),
    path("v1/", include("lanhmanh.people.api_urls")),
    path("v1/", include("lanhmanh.reporting.api_urls")),
    path("v1/", include("lanhmanh.enforcement.cases.api_urls")),
    path("v1/", include("lanhmanh.enforcement.api_urls")),
    path("v1/", include("lanhmanh.communes.api_urls")),
    path("v1/", include("lanhmanh.premises.api_urls")),
    re_path(r"^v1/me/?$", views.MeView.as_view(), name="me"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    # Keep last: unknown /api/ addresses answer in the error envelope. Other apps' endpoints are
    # registered on ``router`` above, never added under /api/ in the project's urls.py.
    re_path(r"^[\s\S]*$", errors.not_found),  # [\s\S]: an address with a newline too
]
