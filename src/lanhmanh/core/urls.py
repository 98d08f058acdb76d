from django.urls import path

from lanhmanh.core import views

urlpatterns = [
    path("kiem-tra-du-lieu/", views.audit, name="audit"),
    path("tep/<uuid:pk>/", views.stored_file_download, name="stored-file"),
    path("kiem-tra-du-lieu/su-co/", views.breach_list, name="breaches"),
    path("kiem-tra-du-lieu/danh-gia-tac-dong.docx", views.impact_assessment, name="impact-assessment"),
    path("kiem-tra-du-lieu/su-co/<int:pk>/", views.breach_detail, name="breach-detail"),
    path(
        "kiem-tra-du-lieu/su-co/<int:pk>/thong-bao.docx",
        views.breach_notification,
        name="breach-notification",
    ),
]
