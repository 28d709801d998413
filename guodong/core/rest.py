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


# The error answers every operation can give, in the shapes exception_handler produces. DRF
# views answer them without saying so in the schema, so clients (and schemathesis) would take a
# 400 for a bad filter or a 404 for another district's object as a breach of the contract.
_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "description": "Each field (or non_field_errors) with the reasons its value was refused.",
    "additionalProperties": True,
}
ERROR_RESPONSES = {
    "400": ("Bad input: the fields and their reasons.", _FIELD_ERRORS),
    "401": ("Not signed in, or the token is wrong.", _DETAIL),
    "403": ("Signed in, but not allowed to do this.", _DETAIL),
    "404": ("No such object within the caller's scope, or no such page.", _DETAIL),
}


def document_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the error responses to every operation."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for status, (description, schema) in ERROR_RESPONSES.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": schema}},
                    },
                )
    return result
