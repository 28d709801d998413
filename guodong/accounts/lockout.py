"""The answer to a locked-out sign-in: JSON for the API, the Chinese page for people."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

TOO_MANY_REQUESTS = 429


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: Any = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Too many failed sign-in attempts; try again later.")},
            status=TOO_MANY_REQUESTS,
        )
    return render(request, "registration/locked_out.html", status=TOO_MANY_REQUESTS)
