from django.urls import path

from zhifa.cases import urls_deadlines, views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_create, name="case_create"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/steps/<str:code>/", views.case_transition, name="case_transition"),
    path("<int:pk>/case-file.zip", views.case_file_zip, name="case_file_zip"),
    path("<int:pk>/officers/", views.officer_assign, name="officer_assign"),
    path("<int:pk>/clocks/extend/", views.clock_extend, name="clock_extend"),
    path("<int:pk>/events/correct/", views.event_correct, name="event_correct"),
    path("<int:pk>/officers/<int:person_pk>/recuse/", views.officer_recuse, name="officer_recuse"),
    *urls_deadlines.urlpatterns,
]
