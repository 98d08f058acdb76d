from django.urls import path

from lanhmanh.premises import views
from lanhmanh.premises.job_views import import_progress

app_name = "premises"

urlpatterns = [
    path("", views.establishment_list, name="establishment_list"),
    path("them/", views.establishment_create, name="establishment_create"),
    path("<int:pk>/", views.establishment_detail, name="establishment_detail"),
    path("<int:pk>/sua/", views.establishment_edit, name="establishment_edit"),
    path("<int:pk>/giay-phep/", views.licence_add, name="licence_add"),
    path("<int:pk>/kiem-tra/", views.inspection_create, name="inspection_create"),
    path("<int:pk>/de-nghi-xu-phat/", views.sanction_propose, name="sanction_propose"),
    path("<int:pk>/kiem-tra-y-te/", views.health_check_create, name="health_check_create"),
    path("ke-hoach/", views.plan_list, name="plan_list"),
    path("ke-hoach/them/", views.plan_create, name="plan_create"),
    path("ke-hoach/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("cuoc-kiem-tra/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("cuoc-kiem-tra/<int:pk>/bien-ban.docx", views.inspection_minutes, name="inspection_minutes"),
    path("xu-phat/<int:pk>/", views.sanction_detail, name="sanction_detail"),
    path("thu-hoi-giay-phep/", views.revocation_list, name="revocation_list"),
    path("thu-hoi-giay-phep/<int:pk>/", views.revocation_answer, name="revocation_answer"),
    path("kiem-tra-hanh-chinh/", views.police_check_create, name="police_check_create"),
    path("tra-cuu-cap-phep/", views.eligibility_view, name="eligibility"),
    path("nhap-excel/", views.import_upload, name="import_upload"),
    path("nhap-excel/mau.xlsx", views.import_template, name="import_template"),
    path("nhap-excel/<int:pk>/", views.import_preview, name="import_preview"),
    path("nhap-excel/<int:pk>/tien-do/", import_progress, name="import_progress"),
]
