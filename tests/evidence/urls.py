"""URLconf for the evidence tests: the evidence pages at /evidence/ and the evidence router at
/api/v1/evidence, in front of the project's own URLs (the project mounts them the same way).

The project's API object cannot take a router once its URLs are built, so the router is mounted
on a second API object with the same token authentication and the same error handlers."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from ninja import NinjaAPI

from zhifa.core.api import BearerToken, ChineseJSONRenderer
from zhifa.core.api import api as project_api
from zhifa.evidence.api import router
from zhifa.urls import urlpatterns as project_urlpatterns

evidence_api = NinjaAPI(
    renderer=ChineseJSONRenderer(), auth=BearerToken(), urls_namespace="evidence_test_api", docs_url=None
)
evidence_api._exception_handlers.update(project_api._exception_handlers)
evidence_api.add_router("/evidence", router)

urlpatterns: list[URLPattern | URLResolver] = [
    path("evidence/", include("zhifa.evidence.urls")),
    path("api/v1/", evidence_api.urls),
    *project_urlpatterns,
]
