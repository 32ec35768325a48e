from django.urls import path

from zhifa.review import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
    path("cases/<int:case_pk>/draft/", views.draft_edit, name="draft_edit"),
    path("cases/<int:case_pk>/major/", views.mark_major, name="mark_major"),
    path("cases/<int:case_pk>/submit/", views.submit, name="submit"),
    path("cases/<int:case_pk>/discussion/", views.discussion_create, name="discussion_create"),
    path("criteria/", views.criteria, name="criteria"),
    path("criteria/new/", views.criterion_add, name="criterion_add"),
    path("accountability/", views.accountability, name="accountability"),
]
