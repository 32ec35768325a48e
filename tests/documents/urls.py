"""Test URLconf: the project's URLs plus the documents pages at /documents/ and the documents API
under /api/v1/ (a test API carrying the project API's error handlers), mounted here so the tests
run whether or not the project URLconf mounts them yet. Use ``@pytest.mark.urls("tests.documents.urls")``."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from ninja import NinjaAPI

from zhifa import urls as project_urls
from zhifa.core.api import BearerToken, ChineseJSONRenderer
from zhifa.core.api import api as project_api
from zhifa.documents.api import router

documents_api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="documents test API",
    version="test",
    urls_namespace="documents_test_api",
    auth=BearerToken(),
    docs_url=None,
    openapi_url=None,
)
for exc_class, handler in project_api._exception_handlers.items():
    documents_api.add_exception_handler(exc_class, handler)
documents_api.add_router("/", router)

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", documents_api.urls),
    path("documents/", include("zhifa.documents.urls")),
    *project_urls.urlpatterns,
]
