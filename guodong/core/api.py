"""The scoped viewset and related field every app's API uses."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import exceptions, serializers, viewsets


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the requesting user can see; an id outside their scope reads as unknown."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().visible_to(self.context["request"].user)


class ScopedViewSet(viewsets.ModelViewSet):
    """Lists and details go through `visible_to`; writes go through the app's services.

    An object outside the user's jurisdiction is a 404, so its existence is not revealed;
    one the user can see but not change is a 403 from the service.
    """

    model: type[models.Model]
    create_service: Any = None
    update_service: Any = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> models.QuerySet:
        return self.model.objects.visible_to(self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        if self.create_service is None:
            raise exceptions.MethodNotAllowed("POST")
        serializer.instance = self.create_service(
            self.request.user, dict(serializer.validated_data)
        )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        if self.update_service is None:
            raise exceptions.MethodNotAllowed("PATCH")
        serializer.instance = self.update_service(
            self.request.user, serializer.instance, dict(serializer.validated_data)
        )
