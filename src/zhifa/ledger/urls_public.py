from django.urls import path

from zhifa.ledger import views

app_name = "ledger_public"

urlpatterns = [
    path("", views.public, name="home"),
    path("checkpoint.txt", views.public_checkpoint, name="checkpoint"),
    path("keys/<str:key_id>.pem", views.public_key_pem, name="key_pem"),
]
