"""Officer list import/export; concatenated into the ``org`` URL namespace."""

from django.urls import path

from zhifa.org import views_transfer

urlpatterns = [
    path("people/export/", views_transfer.officer_export, name="officer_export"),
    path("people/import/", views_transfer.officer_import, name="officer_import"),
]
