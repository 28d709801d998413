"""DRF settings hooks: pagination and error shapes (kept free of viewset imports)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def validation_payload(error: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as the API's {"field": ["reason"]} shape."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Services raise Django's errors; the API answers them in DRF's shapes."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_payload(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
