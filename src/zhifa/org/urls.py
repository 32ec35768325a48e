from django.urls import path

from zhifa.org import urls_transfer, views

app_name = "org"

urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("bodies/new/", views.body_create, name="body_create"),
    path("bodies/<int:pk>/edit/", views.body_edit, name="body_edit"),
    path("bodies/<int:body_pk>/units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/", views.role_grant, name="role_grant"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("people/<int:person_pk>/credentials/new/", views.credential_create, name="credential_create"),
    path("credentials/", views.credential_list, name="credential_list"),
    path("credentials/<int:pk>/", views.credential_detail, name="credential_detail"),
    path("credentials/<int:pk>/edit/", views.credential_edit, name="credential_edit"),
    path("credentials/<int:pk>/status/", views.credential_status, name="credential_status"),
    path("credentials/<int:pk>/photo/", views.credential_photo, name="credential_photo"),
    *urls_transfer.urlpatterns,
]
