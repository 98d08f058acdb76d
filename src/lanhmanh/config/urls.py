from django.contrib import admin
from django.urls import include, path

from lanhmanh.org.admin_site import restrict_admin_to_system_administrators

restrict_admin_to_system_administrators(admin.site)
handler500 = "lanhmanh.ops.views.server_error"

urlpatterns = [
    path("", include("lanhmanh.org.urls")),
    path("", include("lanhmanh.core.urls")),
    path("", include("lanhmanh.ops.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("lanhmanh.api.urls")),
    path("chi-so/", include("lanhmanh.indicators.urls")),
    path("ke-hoach/", include("lanhmanh.plans.urls")),
    path("bao-cao/", include("lanhmanh.reporting.urls")),
    path("nguoi-vi-pham/", include("lanhmanh.people.urls")),
    path("ho-tro/", include("lanhmanh.support.urls")),
    path("vu-an/", include("lanhmanh.enforcement.cases.urls")),
    path("ho-so-trung/", include("lanhmanh.linkage.urls")),
    path("", include("lanhmanh.enforcement.urls")),
    path("xa-lanh-manh/", include("lanhmanh.communes.urls")),
    path("co-so-kinh-doanh/", include("lanhmanh.premises.urls")),
    path("quan-tri/", admin.site.urls),
]
