"""The scoped viewset and related field every app's API uses."""

from __future__ import annotations

from typing import Any, cast

from django.db import models
from rest_framework import exceptions, serializers, viewsets

from guodong.core.actors import AuthenticatedRequest
from guodong.core.models import ScopedQuerySet


class ScopedRelatedField(serializers.PrimaryKeyRelatedField[Any]):
    """A foreign key the requesting user can see; an id outside their scope reads as unknown."""

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = cast("ScopedQuerySet[Any]", super().get_queryset())
        return queryset.visible_to(self.context["request"].user)


class ScopedViewSet(viewsets.ModelViewSet[Any]):
    """Lists and details go through `visible_to`; writes go through the app's services.

    An object outside the user's jurisdiction is a 404, so its existence is not revealed;
    one the user can see but not change is a 403 from the service.
    """

    model: type[models.Model]
    request: AuthenticatedRequest
    create_service: Any = None
    update_service: Any = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> models.QuerySet[Any]:
        # Every model behind a ScopedViewSet is a ScopedModel (its manager is a ScopedQuerySet).
        manager = cast("ScopedQuerySet[Any]", self.model._default_manager.all())
        return manager.visible_to(self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        if self.create_service is None:
            raise exceptions.MethodNotAllowed("POST")
        serializer.instance = self.create_service(
            self.request.user, dict(serializer.validated_data)
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        if self.update_service is None:
            raise exceptions.MethodNotAllowed("PATCH")
        serializer.instance = self.update_service(
            self.request.user, serializer.instance, dict(serializer.validated_data)
        )
