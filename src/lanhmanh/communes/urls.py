from django.urls import path

from lanhmanh.communes import views

app_name = "communes"

urlpatterns = [
    path("", views.index, name="index"),
    path("lap-phieu/", views.open_assessment, name="open"),
    path("phieu/<int:pk>/", views.detail, name="detail"),
    path("phieu/<int:pk>/tu-cham/", views.self_assess, name="self"),
    path("phieu/<int:pk>/phuc-tra/", views.review, name="review"),
    path("phieu/<int:pk>/tep/", views.file_add, name="file_add"),
    path("phieu/<int:pk>/tep/<int:file_pk>/go/", views.file_remove, name="file_remove"),
    path("phieu/<int:pk>/duyet/", views.approve, name="approve"),
    path("phieu/<int:pk>/mo-lai/", views.reopen, name="reopen"),
    path("xa/<int:pk>/", views.unit_history, name="history"),
    path("chuyen-hoa/", views.transformation, name="transformation"),
    path("bo-tieu-chi/", views.templates, name="templates"),
    path("tieu-chi/<int:pk>/sua/", views.item_edit, name="item_edit"),
    path("mo-hinh/", views.models_list, name="models"),
    path("mo-hinh/<int:pk>/", views.model_detail, name="model"),
    path("bieu-thong-ke.<str:fmt>", views.statistics, name="statistics"),
    path("bieu-thong-ke/mau/", views.layouts, name="layouts"),
    path("ban-do/", views.map_page, name="map"),
]
