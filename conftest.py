"""Shared test setup: the real 嘉兴市 demo loaded once per test database, and the personas.

Personas (DESIGN.md §4.8): city staff, 南湖区 staff, 秀洲区 staff, a 大桥镇 grid worker, a
member-unit reporter, a military liaison, an auditor and an administrator.
"""

from __future__ import annotations

import pytest
from django.test import Client

from guodong.accounts.models import User
from guodong.demo.seed import load_demo


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    with django_db_blocker.unblock():
        load_demo()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests use a live server, whose transactional teardown empties the database:
    run them last so every other test sees the demo data."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def _persona(username: str) -> User:
    return User.objects.select_related("organization__division").get(username=username)


@pytest.fixture
def city_staff(db) -> User:  # noqa: ANN001
    return _persona("city_staff")


@pytest.fixture
def nanhu_staff(db) -> User:  # noqa: ANN001
    return _persona("nanhu_staff")


@pytest.fixture
def xiuzhou_staff(db) -> User:  # noqa: ANN001
    return _persona("xiuzhou_staff")


@pytest.fixture
def grid_worker(db) -> User:  # noqa: ANN001
    return _persona("daqiao_grid")


@pytest.fixture
def reporter(db) -> User:  # noqa: ANN001
    return _persona("reporter")


@pytest.fixture
def liaison(db) -> User:  # noqa: ANN001
    return _persona("liaison")


@pytest.fixture
def auditor(db) -> User:  # noqa: ANN001
    return _persona("auditor")


@pytest.fixture
def admin_user(db) -> User:  # noqa: ANN001
    return _persona("admin")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
