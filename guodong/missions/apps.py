from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    """Matchings, allocations and reservations, missions and their handover."""

    name = "guodong.missions"
    verbose_name = _("Missions")

    def ready(self) -> None:
        # demands sits above this app and may not import it: a demand that is rejected or
        # cancelled announces it (guodong.demands.signals), and this app ends its missions.
        from guodong.missions import receivers  # noqa: F401
