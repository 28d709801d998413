from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from guodong.accounts.api.serializers import TokenRequestSerializer, TokenSerializer, UserSerializer
from guodong.accounts.filtersets import UserFilterSet
from guodong.accounts.models import User
from guodong.accounts.services import create_user, issue_token, update_user
from guodong.core.actors import Actor
from guodong.core.api import ScopedViewSet


def _create(acting_user: Actor, fields: dict[str, Any]) -> User:
    password = fields.pop("password", None)
    if not password:
        raise exceptions.ValidationError({"password": [_("A new user needs a password.")]})
    return create_user(acting_user, fields, password=password)


def _update(acting_user: Actor, user: User, fields: dict[str, Any]) -> User:
    if "password" in fields:
        raise exceptions.ValidationError(
            {"password": [_("Change passwords with the password action.")]}
        )
    return update_user(acting_user, user, fields)


class UserViewSet(ScopedViewSet):
    model = User
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    create_service = staticmethod(_create)
    update_service = staticmethod(_update)


class TokenView(APIView):
    """Exchange a username and password for an API token (lockout rules apply)."""

    permission_classes = [AllowAny]
    authentication_classes: list[type[Any]] = []

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, **serializer.validated_data)
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Wrong username or password.")]}
            )
        return Response({"token": issue_token(user).key})
