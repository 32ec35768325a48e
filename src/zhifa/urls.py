from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from zhifa.core.api import api, register_routers

register_routers()

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("zhifa.core.urls")),
    path("org/", include("zhifa.org.urls")),
    path("catalog/", include("zhifa.catalog.urls")),
    path("cases/", include("zhifa.cases.urls")),
    path("documents/", include("zhifa.documents.urls")),
    path("evidence/", include("zhifa.evidence.urls")),
    path("calendar/", include("zhifa.workdays.urls")),
    path("ledger/", include("zhifa.ledger.urls")),
    path("review/", include("zhifa.review.urls")),
    path("public/ledger/", include("zhifa.ledger.urls_public")),
    path("public/decisions/", include("zhifa.disclosure.urls_public")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
# Uploaded and generated files are never served from a public media URL: every download goes
# through a view that checks permission (credential photos, documents, evidence).
