from django.urls import path

from lanhmanh.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("them/", views.person_create, name="person_create"),
    path("goi-y/", views.person_suggest, name="person_suggest"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/vi-pham/them/", views.violation_create, name="violation_create"),
]
