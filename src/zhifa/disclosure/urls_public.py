from django.urls import path

from zhifa.disclosure import views_public

app_name = "disclosure_public"

urlpatterns = [
    path("", views_public.decision_list, name="list"),
    path("<int:pk>/", views_public.decision_detail, name="detail"),
]
