from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """The matching engine, its adapter to the database and the availability snapshot."""

    name = "guodong.matching"
    verbose_name = _("Matching")
