"""Routes of the enforcement API, included under ``/api/v1/`` (before the API's catch-all)."""

from rest_framework.routers import SimpleRouter

from lanhmanh.enforcement import api

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("hotspots", api.HotspotViewSet, basename="hotspot")
router.register("patrols", api.PatrolViewSet, basename="patrol")
router.register("tips", api.TipViewSet, basename="tip")

urlpatterns = router.urls
