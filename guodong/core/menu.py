"""The site menu, declared once: sections of entries, each shown only to the users who may use it.

Each entry names its page by URL name and carries a predicate read from the same rule its view
applies (`Model.permits(user, action)` for a form, `user.has_role_perm(...)` for a role-checked
page, `Model.visibility(user)` for a list), so a user is never led to a form that answers 403 on
submit. `guodong.core.context_processors.menu` renders it for the signed-in user;
`guodong/core/tests/test_menu.py` walks every persona's menu.

Core sits below the domain apps, so models are named by label ("registry.Holding") and looked up
when the menu is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor

Predicate = Callable[[Actor], bool]


def _model(label: str) -> Any:
    return apps.get_model(label)


def always(user: Actor) -> bool:
    """Every signed-in user."""
    return True


def perm(permission: str) -> Predicate:
    """The role grants `permission` (what role-checked views test)."""
    return lambda user: user.has_role_perm(permission)


def may(label: str, action: str) -> Predicate:
    """The role may perform `action` on the model (what its add or change view tests)."""
    return lambda user: bool(_model(label).permits(user, action))


def sees(label: str) -> Predicate:
    """The user may read some rows of the model (what its list's `visible_to` applies)."""
    return lambda user: _model(label).visibility(user) is not None


def any_of(*predicates: Predicate) -> Predicate:
    """Any one of the predicates holds."""
    return lambda user: any(p(user) for p in predicates)


def all_of(*predicates: Predicate) -> Predicate:
    """Every one of the predicates holds."""
    return lambda user: all(p(user) for p in predicates)


# The roles that read their area's whole picture (office staff, grid workers, liaison, auditor,
# administrator): whoever reads demands. A member unit's reporter does not — its demands are
# those of its own missions (Demand.narrows_view) — so the pages that serve an office's view of
# the area (the potential, facilities, the log) are not in its menu.
AREA_READER = perm("demands.view")


@dataclass(frozen=True)
class Entry:
    """One link of the menu: a URL name, its label, and who sees it."""

    url_name: str
    label: str | Promise
    visible: Predicate = always


@dataclass(frozen=True)
class Section:
    """A dropdown of the navbar; a section with no visible entry is not shown."""

    key: str
    label: str | Promise
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Link:
    """An entry as rendered for one user."""

    url: str
    label: str | Promise
    url_name: str


@dataclass(frozen=True)
class ShownSection:
    """A section as rendered for one user: only the links they may follow."""

    key: str
    label: str | Promise
    links: tuple[Link, ...]


MENU: tuple[Section, ...] = (
    Section(
        "potential",
        _("Potential"),
        (
            Entry("potential", _("Potential query"), AREA_READER),
            Entry("map", _("Potential map"), AREA_READER),
            Entry("reservefloor_list", _("Reserve floors"), AREA_READER),
        ),
    ),
    Section(
        "demands",
        _("Demands and missions"),
        (
            Entry("demand_list", _("Demands"), AREA_READER),
            Entry("demand_add", _("Submit a demand"), may("demands.Demand", "add")),
            Entry("demand_edxl", _("Receive an EDXL-RM message"), perm("demands.submit")),
            Entry("mission_list", _("Missions"), sees("missions.Mission")),
        ),
    ),
    Section(
        "registry",
        _("Potential database"),
        (
            Entry("holding_list", _("Holdings"), sees("registry.Holding")),
            Entry("specialist_list", _("Specialists"), AREA_READER),
            Entry("civildefencework_list", _("Civil air-defence works"), AREA_READER),
            Entry("siren_list", _("Air-raid sirens"), AREA_READER),
            Entry("warehouse_list", _("Reserve warehouses"), AREA_READER),
            Entry("resourcetype_list", _("Resource catalogue")),
        ),
    ),
    Section(
        "surveys",
        _("Surveys and verification"),
        (
            Entry("campaign_list", _("Survey campaigns"), sees("registry.SurveyCampaign")),
            Entry("import_upload", _("Import a spreadsheet"), perm("registry.import")),
            Entry("import_entry", _("Enter holdings on a page"), perm("registry.import")),
            # Without registry.change a user's import list holds only their own uploads
            # (ImportJob.restrict_for_role): shown to whoever may upload or reads them all.
            Entry(
                "import_list",
                _("Imports"),
                any_of(perm("registry.import"), perm("registry.change")),
            ),
            Entry(
                "verificationtask_list",
                _("On-site verification"),
                all_of(AREA_READER, sees("registry.VerificationTask")),
            ),
        ),
    ),
    Section(
        "system",
        _("Reference data"),
        (
            Entry("division_list", _("Divisions"), AREA_READER),
            Entry("organization_list", _("Organizations"), sees("orgs.Organization")),
            Entry("user_list", _("Users"), AREA_READER),
            Entry("event_list", _("Activity log"), AREA_READER),
            Entry("api_docs", _("API"), AREA_READER),
        ),
    ),
)


def menu_for(user: Actor, menu: tuple[Section, ...] = MENU) -> list[ShownSection]:
    """The sections and links `user` may follow, in the menu's order."""
    shown = []
    for section in menu:
        links = tuple(
            Link(reverse(entry.url_name), entry.label, entry.url_name)
            for entry in section.entries
            if entry.visible(user)
        )
        if links:
            shown.append(ShownSection(section.key, section.label, links))
    return shown
