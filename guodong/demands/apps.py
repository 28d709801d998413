from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    """Demand intake and workflow, EDXL-RM in and out, reserve floors."""

    name = "guodong.demands"
    verbose_name = _("Demands")
