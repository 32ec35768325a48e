from django.urls import path

from zhifa.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("checkpoint/", views.checkpoint_now, name="checkpoint_now"),
    path("audit/", views.audit_now, name="audit_now"),
    path("leaves/<int:index>/", views.leaf, name="leaf"),
]
