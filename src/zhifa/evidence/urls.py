from django.urls import path

from zhifa.evidence import views, views_upload

app_name = "evidence"

urlpatterns = [
    path("cases/<int:case_id>/", views.case_evidence, name="case_evidence"),
    path("cases/<int:case_id>/uploads/", views_upload.upload_start, name="upload_start"),
    path("uploads/<str:upload_id>/", views_upload.upload_detail, name="upload_detail"),
    path("items/<int:pk>/content/", views.evidence_content, name="content"),
    path("devices/", views.device_list, name="device_list"),
    path("devices/new/", views.device_create, name="device_create"),
    path("devices/<int:pk>/", views.device_detail, name="device_detail"),
    path("devices/<int:pk>/handover/", views.device_handover, name="device_handover"),
    path("devices/<int:pk>/status/", views.device_status, name="device_status"),
]
