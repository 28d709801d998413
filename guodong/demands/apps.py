from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "guodong.demands"
    verbose_name = _("Demands and missions")
