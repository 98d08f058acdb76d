from django.urls import path

from lanhmanh.support import views

app_name = "support"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("tiep-can/them/", views.task_create, name="task_create"),
    path("tiep-can/<int:pk>/", views.task_detail, name="task_detail"),
    path("ho-so/<int:pk>/", views.case_detail, name="case_detail"),
    path("ho-so/<int:pk>/nhom/", views.case_team, name="case_team"),
    path("ho-so/<int:pk>/tom-tat/", views.case_summary, name="case_summary"),
    path("chuyen-gui/", views.referral_inbox, name="referral_inbox"),
    path("chuyen-gui/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("chuyen-gui/<int:pk>/<str:decision>/", views.referral_respond, name="referral_respond"),
    path("tre-em/<int:person_pk>/mo-ho-so/", views.child_case_open, name="child_case_open"),
    path("chuong-trinh/", views.programme_list, name="programme_list"),
    path("chuong-trinh/them/", views.programme_create, name="programme_create"),
    path("chuong-trinh/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("chuong-trinh/<int:pk>/sua/", views.programme_edit, name="programme_edit"),
    path("chuong-trinh/<int:pk>/nguoi-tham-gia/", views.programme_enrolments, name="programme_enrolments"),
    path("nguoi/<int:person_pk>/co-ho-so/", views.case_exists, name="case_exists"),
]
