from django.urls import path

from lanhmanh.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("<str:code>/", views.indicator_detail, name="detail"),
]
