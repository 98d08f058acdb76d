from django.urls import path

from lanhmanh.people import views
from lanhmanh.people.job_views import import_progress

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("them/", views.person_create, name="person_create"),
    path("dia-ban/", views.person_ward, name="person_ward"),
    path("goi-y/", views.person_suggest, name="person_suggest"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/sua/", views.person_edit, name="person_edit"),
    path("quyet-dinh/<int:pk>/nop-phat/", views.sanction_payment, name="sanction_payment"),
    path("<int:pk>/vi-pham/them/", views.violation_create, name="violation_create"),
    path("nhap-excel/", views.import_upload, name="import_upload"),
    path("nhap-excel/mau.xlsx", views.import_template, name="import_template"),
    path("nhap-excel/<int:pk>/", views.import_preview, name="import_preview"),
    path("nhap-excel/<int:pk>/tien-do/", import_progress, name="import_progress"),
    path("nhap-excel/<int:pk>/dong-loi.xlsx", views.import_rejected, name="import_rejected"),
    path("<int:pk>/nhat-ky-truy-cap/", views.access_log, name="access_log"),
    path("luu-tru/", views.retention, name="retention"),
]
