from django.urls import path

from zhifa.catalog import urls_transfer, views

app_name = "catalog"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
    path("items/<str:code>/edit/", views.item_edit, name="item_edit"),
    path("items/<str:code>/history/", views.item_history, name="item_history"),
    path("items/<str:code>/diff/", views.item_diff, name="item_diff"),
    path("laws/", views.law_list, name="law_list"),
    path("laws/<int:pk>/", views.law_detail, name="law_detail"),
    path("provisions/search/", views.provision_search, name="provision_search"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<str:code>/", views.rule_history, name="rule_history"),
    path("rules/<str:code>/edit/", views.rule_edit, name="rule_edit"),
    *urls_transfer.urlpatterns,
]
