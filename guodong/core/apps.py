from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "guodong.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from guodong.core.bounds import bound_integer_fields

        bound_integer_fields()
