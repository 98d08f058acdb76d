from django.urls import path

from lanhmanh.org import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("xac-thuc-hai-buoc/", views.two_factor, name="two_factor"),
    path("don-vi/ke-thua/", views.successions, name="unit_successions"),
    path("don-vi/ke-thua/<int:pk>/sua/", views.succession_edit, name="unit_succession_edit"),
]
