from django.urls import path

from lanhmanh.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("mo/", views.open_report, name="open"),
    path("cho-duyet/", views.approval_queue, name="queue"),
    path("tien-do/", views.completeness_page, name="completeness"),
    path("tong-hop/", views.consolidated, name="consolidated"),
    path("tong-hop/tai-ve/<str:fmt>/", views.consolidated_download, name="consolidated_download"),
    path("dot-xuat/moi/", views.request_create, name="request_create"),
    path("dot-xuat/cap-tren/", views.request_upward, name="request_upward"),
    path("thong-bao/", views.notification_list, name="notifications"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/muc/<slug:section>/", views.section_edit, name="section"),
    path("<int:pk>/gui/", views.submit, name="submit"),
    path("<int:pk>/duyet/", views.approve, name="approve"),
    path("<int:pk>/tra-lai/", views.send_back, name="return"),
    path("<int:pk>/tai-ve/<str:fmt>/", views.download, name="download"),
]
