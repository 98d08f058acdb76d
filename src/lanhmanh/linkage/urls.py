from django.urls import path

from lanhmanh.linkage import views

app_name = "linkage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("cap/<int:pk>/", views.pair_detail, name="pair_detail"),
    path("cum/<int:pk>/", views.cluster_detail, name="cluster_detail"),
    path("mau/", views.batch, name="batch"),
    path("xem-xet/<int:pk>/hoan-tac/", views.review_undo, name="review_undo"),
    path("nguoi/<int:pk>/", views.person_history, name="person_history"),
    path("hop-nhat/<int:pk>/hoan-tac/", views.merge_unmerge, name="merge_unmerge"),
    path("ra-soat/", views.run_list, name="run_list"),
    path("ra-soat/<int:pk>/", views.run_detail, name="run_detail"),
    path("ra-soat/<int:pk>/tien-do/", views.run_progress, name="run_progress"),
]
