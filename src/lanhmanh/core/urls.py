from django.urls import path

from lanhmanh.core import views

urlpatterns = [
    path("kiem-tra-du-lieu/", views.audit, name="audit"),
    path("tep/<uuid:pk>/", views.stored_file_download, name="stored-file"),
]
