from django.urls import path

from lanhmanh.enforcement.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("them/", views.case_create, name="case_create"),
    path("thong-ke/", views.statistics, name="statistics"),
    path("goi-y-ho-so/", views.person_suggest, name="person_suggest"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/giai-doan/<str:stage>/", views.stage_record, name="stage_record"),
    path("<int:pk>/bi-can/them/", views.defendant_add, name="defendant_add"),
    path("<int:pk>/bi-can/<int:defendant_pk>/hinh-phat/", views.sentence, name="sentence"),
    path("<int:pk>/bi-hai/them/", views.victim_add, name="victim_add"),
    path("<int:pk>/bao-chi/them/", views.press_add, name="press_add"),
    path("<int:pk>/tom-tat.docx", views.case_summary, name="case_summary"),
]
