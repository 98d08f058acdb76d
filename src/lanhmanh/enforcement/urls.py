from django.urls import path

from lanhmanh.enforcement import views

app_name = "enforcement"

urlpatterns = [
    path("tu-diem/", views.hotspot_list, name="hotspot_list"),
    path("tu-diem/them/", views.hotspot_create, name="hotspot_create"),
    path("tu-diem/ban-do/", views.hotspot_map, name="hotspot_map"),
    path("tu-diem/<int:pk>/", views.hotspot_detail, name="hotspot_detail"),
    path("tu-diem/<int:pk>/trang-thai/", views.hotspot_transition, name="hotspot_transition"),
    path("tu-diem/<int:pk>/tuan-tra/", views.patrol_create, name="patrol_create"),
    path("tu-diem/<int:pk>/vi-pham/", views.hotspot_violation_link, name="hotspot_violation_link"),
    path("tu-diem/de-xuat/<int:pk>/", views.proposal_decide, name="proposal_decide"),
    path("tu-diem/chi-tieu/<int:target_pk>/", views.target_hotspots, name="target_hotspots"),
    path("tin-bao/", views.tip_public, name="tip_public"),
    path("tin-bao/tra-cuu/", views.tip_status, name="tip_status"),
    path("tin-bao/bo-sung/", views.tip_add, name="tip_add"),
    path("tin-bao/tiep-nhan/", views.tip_list, name="tip_list"),
    path("tin-bao/tiep-nhan/them/", views.tip_intake, name="tip_intake"),
    path("tin-bao/tiep-nhan/<int:pk>/", views.tip_detail, name="tip_detail"),
    path("tin-bao/tiep-nhan/<int:pk>/lien-ket/", views.tip_link_add, name="tip_link_add"),
    path("tin-bao/tiep-nhan/anh/<int:pk>/", views.tip_image, name="tip_image"),
    path("tin-bao/thong-ke/", views.tip_stats, name="tip_stats"),
]
