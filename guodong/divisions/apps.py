from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DivisionsConfig(AppConfig):
    name = "guodong.divisions"
    verbose_name = _("Administrative divisions")

    def ready(self) -> None:
        from guodong.core.replay import register_bulk_handler
        from guodong.divisions import loader

        # A load's event names the packaged data it read; replay reads it again.
        register_bulk_handler(loader.REPLAY_HANDLER, loader.replay_load)  # type: ignore[arg-type]
