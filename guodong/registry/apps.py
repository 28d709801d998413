from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "guodong.registry"
    verbose_name = _("Potential database")

    def ready(self) -> None:
        from guodong.core.replay import register_bulk_handler
        from guodong.registry.services import imports

        # An import's commit event points at its stored file; replay writes the rows again.
        register_bulk_handler(imports.REPLAY_HANDLER, imports.replay_commit)  # type: ignore[arg-type]
