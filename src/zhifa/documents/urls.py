from django.urls import path

from zhifa.documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:case_id>/", views.case_documents, name="case_documents"),
    path("cases/<int:case_id>/generate/", views.generate, name="generate"),
    path("<int:pk>/<str:kind>/", views.download, name="download"),  # kind: pdf | docx
]
