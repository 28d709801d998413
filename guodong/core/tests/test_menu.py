"""The menu shows each persona only what they may use: every link answers 200, and every form it
leads to takes an empty submission as a form error, never a 403 (issue 11, item 5)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from conftest import PERSONAS, _persona, client_for
from guodong.accounts.models import User
from guodong.core.menu import MENU, menu_for

LINK = re.compile(r'<a class="dropdown-item" href="([^"]+)" data-url-name="([^"]+)"')
FORM = re.compile(r"<form\b[^>]*>", re.I)
ACTION = re.compile(r'action="([^"]*)"')


def posts_to_itself(html: str, url: str) -> bool:
    """Whether the page has a form posting back to it (the navbar's sign-out and language
    forms, and buttons posting to other pages, do not count)."""
    for tag in FORM.findall(html):
        if 'method="post"' in tag.lower():
            action = ACTION.search(tag)
            if action is None or action.group(1) in ("", url):
                return True
    return False


def menu_links(client: Client) -> dict[str, str]:
    """The menu's links as the user sees them on their home page: URL name → URL."""
    html = client.get("/").content.decode()
    return {name: url for url, name in LINK.findall(html)}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(PERSONAS.values()))
def test_every_link_of_a_personas_menu_answers_and_no_form_refuses_them(persona: str) -> None:
    user = _persona(persona)
    client = client_for(user)
    links = menu_links(client)
    assert links, persona
    assert set(links) == {link.url_name for s in menu_for(user) for link in s.links}
    for name, url in links.items():
        response = client.get(url)
        assert response.status_code == 200, (persona, name, response.status_code)
        if posts_to_itself(response.content.decode(), url):
            # Submitting nothing: the form says what is missing; the role is never refused.
            posted = client.post(url, {})
            assert posted.status_code in (200, 400), (persona, name, posted.status_code)


@pytest.mark.django_db
def test_each_role_sees_only_what_it_may_do(
    reporter: User, grid_worker: User, liaison: User, auditor: User, city_staff: User
) -> None:
    def names(user: User) -> set[str]:
        return {link.url_name for s in menu_for(user) for link in s.links}

    every = {entry.url_name for section in MENU for entry in section.entries}
    assert names(city_staff) == every
    # A member unit answers its missions, reports its holdings and returns its surveys.
    assert names(reporter) == {
        "mission_list", "holding_list", "resourcetype_list", "campaign_list", "import_upload",
        "import_entry", "import_list", "organization_list",
    }  # fmt: skip
    # Submitting demands is for the liaison and the offices; importing for whoever reports.
    assert {"demand_add", "demand_edxl"} <= names(liaison)
    assert not {"demand_add", "demand_edxl", "import_upload"} & names(grid_worker)
    assert "verificationtask_list" in names(grid_worker)
    assert not {"demand_add", "demand_edxl", "import_upload", "import_entry"} & names(auditor)


@pytest.mark.django_db
def test_the_office_name_sits_in_the_user_dropdown_not_in_the_menu_bar(city_staff: User) -> None:
    html = client_for(city_staff).get("/").content.decode()
    assert 'data-testid="whoami-organization">嘉兴市国防动员办公室<' in html
    assert 'class="dropdown-item">' in html  # sign out is an item of that dropdown
