from django.urls import path

from lanhmanh.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("chon/", views.plan_choose, name="choose"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/xuat-excel/", views.dashboard_export, name="dashboard_export"),
    path("<int:pk>/kinh-phi/", views.budget, name="budget"),
    path("<int:pk>/kinh-phi/phan-bo/", views.allocation_create, name="allocation_create"),
    path("<int:pk>/kinh-phi/phan-bo/<int:allocation>/", views.allocation_detail, name="allocation"),
    path("<int:pk>/sao-sang-nam-sau/", views.plan_copy, name="copy"),
    path("<int:pk>/chua-chuyen-duoc/", views.plan_gaps, name="gaps"),
    path("<int:pk>/chi-tieu/", views.target_list, name="targets"),
    path("<int:pk>/nhiem-vu/", views.duty_list, name="duties"),
    path("nhiem-vu/<int:pk>/sua/", views.duty_edit, name="duty_edit"),
    path("<int:pk>/noi-dung/", views.plan_content, name="content"),
    path("chi-tieu/<int:pk>/sua/", views.target_edit, name="target_edit"),
    path("chi-tieu/<int:pk>/giao/", views.target_quotas, name="target_quotas"),
    path("chi-tieu/<int:pk>/danh-sach/", views.target_items, name="target_items"),
    path("<int:pk>/ke-hoach-don-vi/", views.district_plans, name="district_plans"),
    path("ke-hoach-don-vi/<int:pk>/", views.district_plan, name="district_plan"),
    path("ke-hoach-don-vi/<int:pk>/sua/", views.district_plan_edit, name="district_plan_edit"),
    path("ke-hoach-don-vi/nhiem-vu/<int:pk>/sua/", views.district_duty_edit, name="district_duty_edit"),
    path("cong-viec/", views.task_list, name="tasks"),
    path("cong-viec/<int:pk>/", views.task_edit, name="task_edit"),
    path("hoat-dong/", views.activity_list, name="activities"),
    path("hoat-dong/moi/", views.activity_create, name="activity_create"),
]
