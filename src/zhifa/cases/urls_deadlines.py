"""Deadline pages, included in the ``cases`` namespace at ``/cases/deadlines/``."""

from django.urls import URLPattern, path

from zhifa.cases import views_deadlines

urlpatterns: list[URLPattern] = [
    path("deadlines/", views_deadlines.deadlines_mine, name="deadlines_mine"),
    path("deadlines/unit/", views_deadlines.deadlines_unit, name="deadlines_unit"),
]
