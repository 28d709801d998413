"""User administration pages (administrators manage the levels below them)."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.forms import BaseForm
from django.utils.translation import gettext_lazy

from guodong.accounts.filtersets import UserFilterSet
from guodong.accounts.forms import PasswordForm, UserForm
from guodong.accounts.models import User
from guodong.accounts.services import create_user, set_password, update_user
from guodong.core.actors import AuthenticatedHttpRequest
from guodong.core.tables import Column
from guodong.core.views import ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView

COLUMNS = [
    Column("username", gettext_lazy("username"), link=True),
    Column("display_name", gettext_lazy("name")),
    Column("role", gettext_lazy("role")),
    Column("organization.name", gettext_lazy("organization")),
    Column("organization.division.name", gettext_lazy("division")),
    Column("is_active", gettext_lazy("active")),
]


class UserListView(ObjectListView):
    model = User
    filterset_class = UserFilterSet
    add_url_name = "user_add"
    columns: ClassVar[list[Column]] = COLUMNS

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("organization__division")


class UserDetailView(ObjectDetailView):
    model = User
    template_name = "accounts/user_detail.html"
    fields: ClassVar[list[Column]] = [
        *COLUMNS,
        Column("email", gettext_lazy("email")),
        Column("last_login", gettext_lazy("last login")),
        Column("date_joined", gettext_lazy("joined")),
    ]


class UserEditView(ObjectEditView):
    request: AuthenticatedHttpRequest

    model = User
    form_class = UserForm
    update_service = staticmethod(update_user)

    def save(self, form: BaseForm) -> User:
        fields = dict(form.cleaned_data)
        if self.object is None:
            password = fields.pop("password")
            return create_user(self.request.user, fields, password=password)
        return cast(User, super().save(form))


class UserPasswordView(ObjectEditView):
    request: AuthenticatedHttpRequest

    model = User
    form_class = PasswordForm

    def save(self, form: BaseForm) -> User:
        user = cast(User, self.object)  # the view edits an existing user only
        return set_password(self.request.user, user, form.cleaned_data["password"])


class UserHistoryView(ObjectHistoryView):
    model = User
