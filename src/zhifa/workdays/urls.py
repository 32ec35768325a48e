from django.urls import path

from zhifa.workdays import views

app_name = "workdays"

urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("calculate/", views.calculate, name="calculate"),
    path("upload/", views.upload, name="upload"),
    path("seed/", views.seed, name="seed"),
    path("days/set/", views.day_set, name="day_set"),
    path("days/remove/", views.day_remove, name="day_remove"),
    path("<int:year>/", views.year_detail, name="year_detail"),
    path("<int:year>/export.csv", views.export, name="export"),
]
