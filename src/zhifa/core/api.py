"""The JSON API under /api/v1/: bearer-token auth, structured errors {code, message, details}.

The API is a thin face over the same services and selectors as the staff pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination, paginate
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from zhifa.core.errors import DomainError
from zhifa.core.models import ApiToken, hash_token
from zhifa.org.permissions import NO_ROLE_MESSAGE, is_staff_member


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
        if api_token is None or not api_token.is_usable or not api_token.user.is_active:
            return None
        if not is_staff_member(api_token.user):
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class ChineseJSONRenderer(JSONRenderer):
    """Chinese text as itself, not as \\u escapes: readable in logs and by integrators."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="Zhifa 执法 API",
    version="1",
    description="行政执法三项制度平台的接口。除获取令牌外，所有接口都需要 `Authorization: Bearer <令牌>`。",
    urls_namespace="api",
    auth=BearerToken(),
)


class ErrorOut(Schema):
    code: str
    message: str
    details: Any = None


PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Pages(PageNumberPagination):
    """Page-number pagination shared by every list of the API: ``?page=2&page_size=50``."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="页码，从1开始")
        page_size: int | None = Field(
            None, ge=1, description=f"每页条数，默认{PAGE_SIZE}，最多{MAX_PAGE_SIZE}"
        )

    class Output(Schema):
        items: list[Any] = Field(description="本页数据")
        count: int = Field(description="符合条件的总条数")


def paginated(func: Any) -> Any:
    return paginate(Pages, page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE)(func)


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(codes, ErrorOut)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details: Any = None
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(NinjaValidationError)
def _invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors
    ]
    return error_response(request, 422, "invalid_input", "请求参数不合法，请检查后重试。", details)


@api.exception_handler(DjangoValidationError)
def _invalid_value(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    details = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return error_response(request, 422, "invalid_input", "；".join(exc.messages), details)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", "未登录或令牌无效、已过期。")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or "无权执行此操作。")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "请求的对象不存在。")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "http_error", str(exc))


auth_router = Router(tags=["认证"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_at: str


@auth_router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut},
    summary="用用户名和密码换取令牌",
)
def obtain_token(request: HttpRequest, payload: TokenIn) -> Any:
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        return Status(401, {"code": "bad_credentials", "message": "用户名或密码错误。", "details": None})
    if not is_staff_member(user):
        return Status(403, {"code": "no_role", "message": NO_ROLE_MESSAGE, "details": None})
    token, raw = ApiToken.issue(user)
    return Status(200, {"token": raw, "token_type": "Bearer", "expires_at": token.expires_at.isoformat()})


api.add_router("/auth", auth_router)


_registered = False


def register_routers() -> None:
    """Attach each app's router once; called from the URLconf so apps stay independent."""
    global _registered
    if _registered:
        return
    _registered = True
    from zhifa.cases.api import router as cases_router
    from zhifa.catalog.api import router as catalog_router
    from zhifa.documents.api import router as documents_router
    from zhifa.evidence.api import router as evidence_router
    from zhifa.ledger.api import router as ledger_router
    from zhifa.org.api import router as org_router
    from zhifa.review.api import router as review_router
    from zhifa.workdays.api import router as calendar_router

    api.add_router("/org", org_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/calendar", calendar_router)
    api.add_router("/cases", cases_router)
    api.add_router("/", documents_router)
    api.add_router("/evidence", evidence_router)
    api.add_router("/ledger", ledger_router)
    api.add_router("/review", review_router)
