from django.urls import path

from lanhmanh.support import views

app_name = "support"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("tiep-can/them/", views.task_create, name="task_create"),
    path("tiep-can/<int:pk>/", views.task_detail, name="task_detail"),
    path("ho-so/<int:pk>/", views.case_detail, name="case_detail"),
    path("ho-so/<int:pk>/danh-gia/", views.case_assessment, name="case_assessment"),
    path("ho-so/<int:pk>/muc-tieu/", views.case_goal_add, name="case_goal_add"),
    path("ho-so/<int:pk>/muc-tieu/dat/", views.case_goal_done, name="case_goal_done"),
    path("ho-so/<int:pk>/dich-vu/", views.case_service, name="case_service"),
    path("ho-so/<int:pk>/chuyen-gui/", views.case_referral, name="case_referral"),
    path("ho-so/<int:pk>/chuyen-gui/huy/", views.case_referral_cancel, name="case_referral_cancel"),
    path("ho-so/<int:pk>/theo-doi/", views.case_follow_up, name="case_follow_up"),
    path("ho-so/<int:pk>/theo-doi/xong/", views.case_follow_up_done, name="case_follow_up_done"),
    path("ho-so/<int:pk>/dong-y/", views.case_consents, name="case_consents"),
    path("ho-so/<int:pk>/dong-y/them/", views.case_consent_add, name="case_consent_add"),
    path("ho-so/<int:pk>/chuong-trinh/", views.case_enrol, name="case_enrol"),
    path("ho-so/<int:pk>/chuong-trinh/tien-do/", views.case_progress, name="case_progress"),
    path("ho-so/<int:pk>/dong/", views.case_close, name="case_close"),
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
