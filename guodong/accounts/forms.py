from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guodong.accounts.models import User
from guodong.orgs.forms import ScopedModelForm


class UserForm(ScopedModelForm):
    password = forms.CharField(
        label=_("password"), widget=forms.PasswordInput, required=False, strip=False
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "role", "organization", "is_active"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"].required = True
        if self.instance.pk:
            del self.fields["password"]
        else:
            self.fields["password"].required = True


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("new password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, user: Any = None, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
