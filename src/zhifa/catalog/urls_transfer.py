"""Catalogue import/export; concatenated into the ``catalog`` URL namespace.

Not under ``items/``: ``items/<str:code>/`` would take ``items/export/`` for an item code.
"""

from django.urls import path

from zhifa.catalog import views_transfer

urlpatterns = [
    path("transfer/export/", views_transfer.item_export, name="item_export"),
    path("transfer/import/", views_transfer.item_import, name="item_import"),
]
