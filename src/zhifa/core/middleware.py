from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from zhifa.org.permissions import NO_ROLE_MESSAGE, is_staff_member

# The JSON API authenticates with bearer tokens and answers 401 itself; static files are public.
_EXEMPT_PREFIXES = ("/api/", "/static/", "/public/", "/healthz")
# A signed-in user without any role may still sign out.
_ROLE_EXEMPT_PATHS = frozenset({"/logout/", "/login/"})


class LoginRequiredForStaffMiddleware(LoginRequiredMiddleware):
    """Every staff page needs a login unless a view opts out with ``@login_not_required``."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path.startswith(_EXEMPT_PREFIXES):
            return None
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is not None or not getattr(view_func, "login_required", True):
            return response
        if request.path not in _ROLE_EXEMPT_PATHS and not is_staff_member(request.user):
            return render(request, "core/no_role.html", {"message": NO_ROLE_MESSAGE}, status=403)
        return None
