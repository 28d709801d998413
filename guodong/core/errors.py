"""The answers to a request that fails: Chinese pages in the site's layout, JSON under /api/.

With DEBUG off (the default, `make run` included) Django calls these instead of its English
technical pages, which would show the URL patterns or a traceback to the user. Pages under /api/
answer in the API's {"detail": …} shape, so a client reading JSON never gets an HTML page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("The request could not be understood.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Your role may not perform this action.")}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("There is no such page or record.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500.html is rendered without context processors: it must not need the database, which
    may be the very thing that failed."""
    if _is_api(request):
        return JsonResponse({"detail": _("The server could not complete the request.")}, status=500)
    return defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form post (an expired page or cookies blocked): say so and offer a way back,
    instead of Django's English explanation of CSRF. The reason is for the server log only."""
    if _is_api(request):
        return JsonResponse(
            {"detail": _("The form had expired. Reload the page and try again.")}, status=403
        )
    return render(request, "403_csrf.html", status=403)
