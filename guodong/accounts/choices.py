from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Office staff")
    REPORTER = "reporter", _("Member-unit reporter")
    LIAISON = "liaison", _("Military liaison")
    GRID_WORKER = "grid_worker", _("Grid worker")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


# What each role may do beyond reading its jurisdiction. Every write path checks one of these.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "divisions.change",
            "divisions.add_grid",
            "orgs.change",
            "orgs.change_duties",
            "accounts.manage",
            "catalogue.change",
            "registry.change",
            "registry.import",
            "registry.reveal_pii",
            "registry.verify",
            "demands.view",
        }
    ),
    Role.STAFF: frozenset(
        {
            "divisions.add_grid",
            "orgs.change",
            "orgs.change_duties",
            "registry.change",
            "registry.import",
            "registry.reveal_pii",
            "registry.verify",
            "demands.view",
            "demands.submit",
            "demands.process",
            "demands.verify",
            "demands.approve",
        }
    ),
    Role.REPORTER: frozenset(
        {"orgs.change_own_duties", "registry.confirm_own", "registry.import", "missions.respond"}
    ),
    Role.LIAISON: frozenset({"demands.view", "demands.submit"}),
    Role.GRID_WORKER: frozenset({"registry.verify", "demands.view", "demands.verify"}),
    Role.AUDITOR: frozenset({"demands.view"}),
}
