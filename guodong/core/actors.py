"""Who acts: the one type of an acting user, and requests whose user is signed in.

`Actor` is what every service, `visible_to`, `permits` and `record_event` take: a signed-in
`User` (views, API) or a `SystemActor` (commands, background jobs; ADR 3). Core must not import
accounts at run time (accounts imports core), so the names are imported for the type checker
only and `Actor` is a string alias; every module using it has `from __future__ import
annotations`, so annotations are never evaluated.

Views reached only after sign-in (`LoginRequiredMixin`, `login_required`, DRF's
`IsAuthenticated` default) annotate their request as `AuthenticatedHttpRequest` (Django) or
`AuthenticatedRequest` (DRF), whose `user` is a `User` rather than `User | AnonymousUser`, as
django-stubs documents for custom user models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from guodong.accounts.models import User
    from guodong.core.services import SystemActor

Actor: TypeAlias = "User | SystemActor"


class AuthenticatedHttpRequest(HttpRequest):
    """A Django request behind sign-in (for the type checker; never instantiated)."""

    user: User


class AuthenticatedRequest(Request):
    """A DRF request behind `IsAuthenticated` (for the type checker; never instantiated)."""

    user: User
